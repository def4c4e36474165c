/**
 * How each verification preset of src/sources/presets/ is signed, so `inlet send` produces what the
 * provider itself would send. Keyed by preset name (a source's `verify`, else its `type`). Each
 * signer gets the exact body bytes and the URL they are posted to, and returns the headers and
 * query parameters that carry the signature. node:crypto only: the CLI needs no provider SDK, and
 * test/node/cli.test.ts checks every one against the gateway's own verifier.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

const seconds = (ms = Date.now()) => Math.floor(ms / 1000);

/** HMAC of `parts` (strings or Buffers) under `key`, in `encoding`. */
const hmac = (algorithm, key, parts, encoding) => {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest(encoding);
};

/** Standard Webhooks and Svix keys are `whsec_` + base64 of the key bytes. */
const webhookKey = (secret) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');

/** The signed content Twilio and Mandrill use: the URL, then each parameter sorted by name. */
function formSignedContent(url, params) {
  let content = url;
  for (const name of [...new Set(params.keys())].sort()) {
    for (const value of [...new Set(params.getAll(name))].sort()) content += name + value;
  }
  return content;
}

const standardWebhooks =
  (prefix) =>
  ({ body, secret }) => {
    const id = `msg_${randomUUID()}`;
    const ts = String(seconds());
    return {
      headers: {
        [`${prefix}-id`]: id,
        [`${prefix}-timestamp`]: ts,
        [`${prefix}-signature`]: `v1,${hmac('sha256', webhookKey(secret), [`${id}.${ts}.`, body], 'base64')}`,
      },
    };
  };

/** `t=<ts>,v1=<hex>` over `${t}${joiner}${body}`: Stripe, Calendly, Paddle (`;`, `ts`, `h1`). */
const timestampedHeader =
  (header, { separator = ',', timestampKey = 't', signatureKey = 'v1', joiner = '.' } = {}) =>
  ({ body, secret }) => {
    const ts = seconds();
    const signature = hmac('sha256', secret, [`${ts}${joiner}`, body], 'hex');
    return { headers: { [header]: `${timestampKey}=${ts}${separator}${signatureKey}=${signature}` } };
  };

/** An HMAC of the body alone in one header. */
const bodyHmac =
  (header, { algorithm = 'sha256', encoding = 'hex', prefix = '' } = {}) =>
  ({ body, secret }) => ({ headers: { [header]: `${prefix}${hmac(algorithm, secret, [body], encoding)}` } });

/** `v0=<hex>` over `v0:${ts}:${body}` with the timestamp in its own header: Slack and Zoom. */
const v0 =
  (header, timestampHeader) =>
  ({ body, secret }) => {
    const ts = String(seconds());
    return {
      headers: {
        [timestampHeader]: ts,
        [header]: `v0=${hmac('sha256', secret, [`v0:${ts}:`, body], 'hex')}`,
      },
    };
  };

function inletHmacV2({ body, secret }) {
  const ts = String(seconds());
  const id = `cli-${randomUUID()}`;
  return {
    headers: {
      'x-inlet-timestamp': ts,
      'x-inlet-signature': `v2=${hmac('sha256', secret, [`${id}.${ts}.`, body], 'hex')}`,
      'x-inlet-id': id,
    },
  };
}

const urlToken = ({ secret }) => ({ query: { token: secret } });
const bearer = ({ secret }) => ({ headers: { authorization: `Bearer ${secret}` } });
const basic = ({ secret }) => ({
  headers: { authorization: `Basic ${Buffer.from(secret).toString('base64')}` },
});

export const SIGNERS = {
  'standard-webhooks': standardWebhooks('webhook'),
  svix: standardWebhooks('svix'),
  stripe: timestampedHeader('stripe-signature'),
  calendly: timestampedHeader('calendly-webhook-signature'),
  paddle: timestampedHeader('paddle-signature', {
    separator: ';',
    timestampKey: 'ts',
    signatureKey: 'h1',
    joiner: ':',
  }),
  github: ({ body, secret }) => ({
    headers: {
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${hmac('sha256', secret, [body], 'hex')}`,
    },
  }),
  shopify: ({ body, secret }) => ({
    headers: {
      'x-shopify-webhook-id': randomUUID(),
      'x-shopify-hmac-sha256': hmac('sha256', secret, [body], 'base64'),
    },
  }),
  typeform: bodyHmac('typeform-signature', { encoding: 'base64', prefix: 'sha256=' }),
  meta: bodyHmac('x-hub-signature-256', { prefix: 'sha256=' }),
  intercom: bodyHmac('x-hub-signature', { algorithm: 'sha1', prefix: 'sha1=' }),
  calcom: bodyHmac('x-cal-signature-256'),
  tally: bodyHmac('tally-signature', { encoding: 'base64' }),
  slack: v0('x-slack-signature', 'x-slack-request-timestamp'),
  zoom: v0('x-zm-signature', 'x-zm-request-timestamp'),
  webflow: ({ body, secret }) => {
    // Webflow's timestamp is in milliseconds, unlike every other scheme here.
    const ts = String(Date.now());
    return {
      headers: {
        'x-webflow-timestamp': ts,
        'x-webflow-signature': hmac('sha256', secret, [`${ts}:`, body], 'hex'),
      },
    };
  },
  hubspot: ({ body, secret, url }) => {
    const ts = String(Date.now());
    return {
      headers: {
        'x-hubspot-request-timestamp': ts,
        'x-hubspot-signature-v3': hmac('sha256', secret, [`POST${url}`, body, ts], 'base64'),
        // HubSpot sends its older, timestamp-less signature alongside; the gateway checks v3 when present.
        'x-hubspot-signature': createHash('sha256').update(`${secret}POST${url}`).update(body).digest('hex'),
        'x-hubspot-signature-version': 'v2',
      },
    };
  },
  twilio: ({ body, secret, url, form }) => {
    // A form is signed through its parameters; any other body through its hash in the signed URL.
    if (form) {
      return {
        headers: { 'x-twilio-signature': hmac('sha1', secret, [formSignedContent(url, form)], 'base64') },
      };
    }
    const bodySHA256 = createHash('sha256').update(body).digest('hex');
    const signed = `${url}?${new URLSearchParams({ bodySHA256 })}`;
    return {
      query: { bodySHA256 },
      headers: { 'x-twilio-signature': hmac('sha1', secret, [signed], 'base64') },
    };
  },
  mandrill: ({ secret, url, form }) => ({
    headers: {
      'x-mandrill-signature': hmac(
        'sha1',
        secret,
        [formSignedContent(url, form ?? new URLSearchParams())],
        'base64',
      ),
    },
  }),
  // Both sign v2 (the delivery id too), which `inlet-hmac` and `inlet-hmac-v2` both take.
  'inlet-hmac': (input) => inletHmacV2(input),
  'inlet-hmac-v2': (input) => inletHmacV2(input),
  mailchimp: urlToken,
  jotform: urlToken,
  'url-token': urlToken,
  pipedrive: basic,
  'basic-auth': basic,
  zapier: bearer,
  bearer,
  'header-token': ({ secret }) => ({ headers: { 'x-inlet-token': secret } }),
};

/** What a preset's scheme is, in a few words, for `inlet send --help`. */
export const SCHEMES = {
  'standard-webhooks': 'Standard Webhooks',
  svix: 'Svix',
  stripe: 'Stripe-Signature',
  calendly: 'Calendly-Webhook-Signature',
  paddle: 'Paddle-Signature',
  github: 'X-Hub-Signature-256',
  shopify: 'X-Shopify-Hmac-Sha256',
  typeform: 'Typeform-Signature',
  meta: 'X-Hub-Signature-256',
  intercom: 'X-Hub-Signature (SHA-1)',
  calcom: 'X-Cal-Signature-256',
  tally: 'Tally-Signature',
  slack: 'X-Slack-Signature',
  zoom: 'x-zm-signature',
  webflow: 'x-webflow-signature',
  hubspot: 'HubSpot v3 signature',
  twilio: 'X-Twilio-Signature',
  mandrill: 'X-Mandrill-Signature',
  'inlet-hmac': 'Inlet HMAC',
  'inlet-hmac-v2': 'Inlet HMAC v2',
  mailchimp: 'token in the URL',
  jotform: 'token in the URL',
  'url-token': 'token in the URL',
  pipedrive: 'HTTP Basic',
  'basic-auth': 'HTTP Basic',
  zapier: 'Authorization: Bearer',
  bearer: 'Authorization: Bearer',
  'header-token': 'X-Inlet-Token',
};
