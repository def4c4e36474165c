// `npm run send -- <source> [email] [--url http://127.0.0.1:8787] [--graph http://127.0.0.1:8789]`:
// posts a realistic sample request to `POST /in/<source>` (the payload fixtures of test/fixtures
// where one exists), signed as that provider signs it with the development secret from .dev.vars,
// then polls the admin API until the event is final and prints its status, attempts and lead.
// `npm run send -- all` sends one request per source in turn and prints a line per source.
// For `meta` the lead is first registered in the fake Graph API that `npm run dev` starts.
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureDevVars, readDevVars } from './env.mjs';

const DEFAULT_URL = 'http://127.0.0.1:8787';
const DEFAULT_GRAPH = 'http://127.0.0.1:8789';
const FINAL = ['delivered', 'partial', 'dead', 'invalid', 'merged', 'unrouted'];
const POLL_MS = 200;
const TIMEOUT_MS = 10_000;

// --- small helpers -------------------------------------------------------------------------------

const encoder = new TextEncoder();

async function hmac(algorithm, secret, text) {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: algorithm },
    false,
    ['sign'],
  );
  return Buffer.from(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
}
const hmacHex = async (algorithm, secret, text) => (await hmac(algorithm, secret, text)).toString('hex');
const hmacBase64 = async (algorithm, secret, text) =>
  (await hmac(algorithm, secret, text)).toString('base64');

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const randomFrom = (alphabet, length) =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
const randomHex = (length) => randomFrom('0123456789abcdef', length);
const randomDigits = (length) => String(randomInt(1, 10)) + randomFrom('0123456789', length - 1);
const seconds = (ms = Date.now()) => Math.floor(ms / 1000);

/** What a failed fetch ran into: `ECONNREFUSED`, or the message. */
const networkError = (error) => error.cause?.code ?? error.cause?.message ?? error.message;

function fixture(path) {
  return JSON.parse(readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), 'utf8'));
}

/** A deep copy of `value` with every occurrence of the fixture's email replaced by `email`. */
function withEmail(value, from, email) {
  if (typeof value === 'string') return value.split(from).join(email);
  if (Array.isArray(value)) return value.map((item) => withEmail(item, from, email));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withEmail(v, from, email)]));
  }
  return value;
}

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** A number in the 555-0100..0199 range, reserved for fiction. */
const fictionalPhone = () => `+1415555${String(randomInt(100, 200)).padStart(4, '0')}`;

// --- one sample request per source ---------------------------------------------------------------
// Each `build` returns the request to send: `path` (with any query), `headers`, `body` (the exact
// string that was signed, or a FormData for Jotform's multipart post).

async function demo({ email, secret }) {
  const { Webhook } = await import('standardwebhooks');
  const body = JSON.stringify({
    email,
    phone: '(415) 555-0132',
    name: 'Ada Lovelace',
    company: 'Analytical Engines Ltd',
    utm_source: 'newsletter',
    utm_campaign: 'launch',
  });
  const id = `msg_${randomUUID()}`;
  const now = new Date();
  return {
    headers: {
      ...json,
      'webhook-id': id,
      'webhook-timestamp': String(seconds(now.getTime())),
      'webhook-signature': new Webhook(secret).sign(id, now, body),
    },
    body,
  };
}

async function n8n({ email, secret }) {
  const payload = withEmail(fixture('flat/n8n.json'), 'TOM.BAKER@Gallifrey.example', email);
  payload.submittedAt = new Date().toISOString();
  const body = JSON.stringify(payload);
  const ts = String(seconds());
  return {
    headers: {
      ...json,
      'x-inlet-timestamp': ts,
      'x-inlet-signature': `sha256=${await hmacHex('SHA-256', secret, `${ts}.${body}`)}`,
      'x-inlet-id': `n8n-${randomUUID()}`,
    },
    body,
  };
}

async function typeform({ email, secret }) {
  const payload = withEmail(fixture('typeform/contact-form.json'), 'priya.raman@northwind.example', email);
  payload.event_id = randomFrom(CROCKFORD, 26);
  payload.form_response.token = payload.event_id.toLowerCase();
  payload.form_response.landed_at = new Date(Date.now() - 82_000).toISOString().replace(/\.\d+Z$/, 'Z');
  payload.form_response.submitted_at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const body = JSON.stringify(payload);
  return {
    headers: {
      ...json,
      'user-agent': 'Typeform Webhooks',
      'typeform-signature': `sha256=${await hmacBase64('SHA-256', secret, body)}`,
    },
    body,
  };
}

async function calendly({ email, secret }) {
  const payload = withEmail(fixture('calendly/invitee-created.json'), 'Marie.Dubois@Exemple.fr', email);
  const now = new Date().toISOString().replace('Z', '000Z');
  payload.created_at = now;
  payload.payload.created_at = now;
  payload.payload.uri = `${payload.payload.event}/invitees/${randomFrom(CROCKFORD, 16)}`;
  const body = JSON.stringify(payload);
  const t = seconds();
  return {
    headers: {
      ...json,
      'calendly-webhook-signature': `t=${t},v1=${await hmacHex('SHA-256', secret, `${t}.${body}`)}`,
    },
    body,
  };
}

async function hubspot({ email, secret, base }) {
  const { Signature } = await import('@hubspot/api-client');
  const payload = withEmail(fixture('hubspot/forms-submission.json'), 'lena.schmidt@beispiel.de', email);
  payload.submittedAt = String(Date.now());
  payload.context.hutk = randomHex(32);
  const body = JSON.stringify(payload);
  const url = `${base}/in/hubspot`;
  const timestamp = Date.now();
  const options = { clientSecret: secret, requestBody: body, url, timestamp, signature: '' };
  return {
    headers: {
      ...json,
      'x-hubspot-signature-v3': Signature.getSignature('POST', 'v3', options),
      'x-hubspot-request-timestamp': String(timestamp),
      // HubSpot sends its older, timestamp-less signature alongside; Inlet checks v3 when present.
      'x-hubspot-signature': Signature.getSignature('POST', 'v2', options),
      'x-hubspot-signature-version': 'v2',
    },
    body,
  };
}

async function meta({ email, secret, graph }) {
  const leadgenId = `${Date.now()}${randomDigits(3)}`;
  const lead = fixture('meta/lead.json');
  lead.id = leadgenId;
  lead.created_time = new Date().toISOString().replace(/\.\d+Z$/, '+0000');
  lead.field_data = lead.field_data.map((field) =>
    field.name === 'email' ? { ...field, values: [email] } : field,
  );
  const control = `${graph.replace(/\/+$/, '').replace(/\/v\d+\.\d+$/, '')}/__control/leads`;
  let registered;
  try {
    registered = await fetch(control, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ id: leadgenId, lead }),
    });
  } catch (error) {
    throw new Error(`cannot reach the fake Graph API at ${control} (${networkError(error)})`);
  }
  if (!registered.ok) throw new Error(`the fake Graph API answered ${registered.status} at ${control}`);

  const webhook = fixture('meta/leadgen-webhook.json');
  const [entry] = webhook.entry;
  entry.time = seconds();
  entry.changes = [entry.changes[0]];
  entry.changes[0].value.leadgen_id = leadgenId;
  entry.changes[0].value.created_time = seconds();
  const body = JSON.stringify(webhook);
  return {
    headers: { ...json, 'x-hub-signature-256': `sha256=${await hmacHex('SHA-256', secret, body)}` },
    body,
  };
}

async function zoom({ email, secret }) {
  const payload = withEmail(fixture('zoom/registration-created.json'), 'kwame.mensah@orbit.example', email);
  payload.event_ts = Date.now();
  payload.payload.object.registrant.id = randomFrom(`${ALNUM}ABCDEFGHIJKLMNOPQRSTUVWXYZ`, 20);
  const body = JSON.stringify(payload);
  const ts = String(seconds());
  return {
    headers: {
      ...json,
      'x-zm-request-timestamp': ts,
      'x-zm-signature': `v0=${await hmacHex('SHA-256', secret, `v0:${ts}:${body}`)}`,
    },
    body,
  };
}

async function tally({ email, secret }) {
  const payload = withEmail(fixture('tally/form-response.json'), 'jose@garcia-lopez.example', email);
  payload.eventId = randomUUID();
  payload.createdAt = new Date().toISOString();
  payload.data.responseId = randomFrom(`${ALNUM}ABCDEFGHIJKLMNOPQRSTUVWXYZ`, 6);
  payload.data.submissionId = payload.data.responseId;
  payload.data.createdAt = new Date().toISOString().replace(/\.\d+Z$/, '.000Z');
  const body = JSON.stringify(payload);
  return { headers: { ...json, 'tally-signature': await hmacBase64('SHA-256', secret, body) }, body };
}

async function jotform({ email, secret }) {
  const payload = withEmail(fixture('jotform/submission.json'), 'OLIVIA.MCDONALD@HIGHLAND.EXAMPLE', email);
  payload.submissionID = randomDigits(19);
  const raw = JSON.parse(payload.rawRequest);
  raw.submitDate = String(Date.now());
  raw.event_id = `${Date.now()}_${payload.formID}_${randomFrom(ALNUM, 7)}`;
  payload.rawRequest = JSON.stringify(raw);
  // Jotform posts a multipart form; its only credential is the token in the webhook URL.
  const body = new FormData();
  for (const [name, value] of Object.entries(payload)) body.append(name, value);
  return { path: `/in/jotform?token=${encodeURIComponent(secret)}`, headers: {}, body };
}

async function webflow({ email, secret }) {
  const payload = withEmail(fixture('webflow/form-submission.json'), 'zaphod@heartofgold.example', email);
  payload.payload.id = randomHex(24);
  payload.payload.submittedAt = new Date().toISOString();
  const body = JSON.stringify(payload);
  const ts = String(Date.now());
  return {
    headers: {
      ...json,
      'x-webflow-timestamp': ts,
      'x-webflow-signature': await hmacHex('SHA-256', secret, `${ts}:${body}`),
    },
    body,
  };
}

async function calcom({ email, secret }) {
  const payload = withEmail(fixture('calcom/booking-created.json'), 'ada@okafor-consulting.example', email);
  const uid = randomFrom(`${ALNUM}ABCDEFGHIJKLMNOPQRSTUVWXYZ`, 18);
  payload.createdAt = new Date().toISOString();
  payload.payload.uid = uid;
  payload.payload.bookingId = Number(randomDigits(6));
  payload.payload.metadata.videoCallUrl = `https://app.cal.com/video/${uid}`;
  const body = JSON.stringify(payload);
  return {
    headers: { ...json, 'x-cal-signature-256': await hmacHex('SHA-256', secret, body) },
    body,
  };
}

async function stripe({ email, secret }) {
  const { default: Stripe } = await import('stripe');
  const created = seconds();
  const body = JSON.stringify({
    id: `evt_${randomFrom(`${ALNUM}ABCDEFGHIJKLMNOPQRSTUVWXYZ`, 24)}`,
    object: 'event',
    api_version: '2025-10-29.clover',
    created,
    data: {
      object: {
        id: `cus_${randomFrom(`${ALNUM}ABCDEFGHIJKLMNOPQRSTUVWXYZ`, 14)}`,
        object: 'customer',
        address: {
          city: 'Arlington',
          country: 'US',
          line1: '1000 Wilson Blvd',
          line2: null,
          postal_code: '22209',
          state: 'VA',
        },
        balance: 0,
        created,
        currency: null,
        description: null,
        email,
        invoice_prefix: randomFrom(CROCKFORD, 8),
        livemode: false,
        metadata: {},
        name: 'Grace Hopper',
        phone: '+17035550146',
        preferred_locales: ['en-US'],
        tax_exempt: 'none',
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: {
      id: `req_${randomFrom(`${ALNUM}ABCDEFGHIJKLMNOPQRSTUVWXYZ`, 14)}`,
      idempotency_key: randomUUID(),
    },
    type: 'customer.created',
  });
  const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: created });
  return { headers: { ...json, 'stripe-signature': header }, body };
}

async function svix({ email, secret }) {
  const { Webhook } = await import('svix');
  const body = JSON.stringify({
    email,
    first_name: 'Katherine',
    last_name: 'Johnson',
    phone: '+1 757 555 0134',
    company: 'Langley Research',
    utm_source: 'svix',
  });
  const id = `msg_${randomFrom(`${ALNUM}ABCDEFGHIJKLMNOPQRSTUVWXYZ`, 27)}`;
  const now = new Date();
  return {
    headers: {
      ...json,
      'svix-id': id,
      'svix-timestamp': String(seconds(now.getTime())),
      'svix-signature': new Webhook(secret).sign(id, now, body),
    },
    body,
  };
}

async function github({ secret }) {
  const { sign } = await import('@octokit/webhooks-methods');
  const body = JSON.stringify({
    action: 'created',
    starred_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    repository: {
      id: 812345678,
      name: 'inlet',
      full_name: 'inlet-dev/inlet',
      private: false,
      owner: { login: 'inlet-dev', id: 98765432, type: 'Organization' },
      html_url: 'https://github.com/inlet-dev/inlet',
      stargazers_count: 128,
    },
    organization: { login: 'inlet-dev', id: 98765432 },
    sender: { login: 'octocat', id: 583231, type: 'User', html_url: 'https://github.com/octocat' },
  });
  return {
    headers: {
      ...json,
      'user-agent': 'GitHub-Hookshot/8f1b2c3',
      'x-github-event': 'star',
      'x-github-delivery': randomUUID(),
      'x-github-hook-id': '512345678',
      'x-github-hook-installation-target-type': 'repository',
      'x-github-hook-installation-target-id': '812345678',
      'x-hub-signature-256': await sign(secret, body),
    },
    body,
  };
}

async function shopify({ email, secret }) {
  const now = new Date().toISOString().replace(/\.\d+Z$/, '-00:00');
  const id = Number(randomDigits(13));
  const body = JSON.stringify({
    id,
    email,
    created_at: now,
    updated_at: now,
    first_name: 'Margaret',
    last_name: 'Hamilton',
    orders_count: 0,
    state: 'disabled',
    total_spent: '0.00',
    last_order_id: null,
    note: null,
    verified_email: true,
    tax_exempt: false,
    tags: '',
    currency: 'USD',
    phone: '+16175550173',
    addresses: [],
    email_marketing_consent: { state: 'subscribed', opt_in_level: 'single_opt_in', consent_updated_at: now },
    admin_graphql_api_id: `gid://shopify/Customer/${id}`,
    default_address: {
      id: Number(randomDigits(13)),
      customer_id: id,
      first_name: 'Margaret',
      last_name: 'Hamilton',
      company: 'Hamilton Technologies',
      address1: '17 Brattle St',
      address2: null,
      city: 'Cambridge',
      province: 'Massachusetts',
      country: 'United States',
      zip: '02138',
      phone: '+16175550173',
      name: 'Margaret Hamilton',
      province_code: 'MA',
      country_code: 'US',
      country_name: 'United States',
      default: true,
    },
  });
  return {
    headers: {
      ...json,
      'x-shopify-topic': 'customers/create',
      'x-shopify-shop-domain': 'inlet-dev.myshopify.com',
      'x-shopify-api-version': '2025-10',
      'x-shopify-webhook-id': randomUUID(),
      'x-shopify-event-id': randomUUID(),
      'x-shopify-triggered-at': new Date().toISOString(),
      'x-shopify-hmac-sha256': await hmacBase64('SHA-256', secret, body),
    },
    body,
  };
}

async function slack({ secret }) {
  const ts = seconds();
  const body = JSON.stringify({
    token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
    team_id: 'T0INLETDEV',
    api_app_id: 'A0INLETDEV',
    event: {
      type: 'app_mention',
      user: 'U061F7AUR',
      text: '<@U0LAN0Z89> can you send me the pricing sheet?',
      ts: `${ts}.000200`,
      channel: 'C0LAN2Q65',
      event_ts: `${ts}.000200`,
    },
    type: 'event_callback',
    event_id: `Ev${randomFrom(CROCKFORD, 9)}`,
    event_time: ts,
    authorizations: [{ team_id: 'T0INLETDEV', user_id: 'U0LAN0Z89', is_bot: true }],
  });
  return {
    headers: {
      ...json,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': `v0=${await hmacHex('SHA-256', secret, `v0:${ts}:${body}`)}`,
    },
    body,
  };
}

async function twilio({ secret, base }) {
  const { default: client } = await import('twilio');
  const sid = `SM${randomHex(32)}`;
  const params = {
    ToCountry: 'US',
    ToState: 'CA',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: 'SAN FRANCISCO',
    FromZip: '94105',
    SmsSid: sid,
    FromState: 'CA',
    SmsStatus: 'received',
    FromCity: 'SAN FRANCISCO',
    Body: 'Hi! Saw your ad, can someone call me about a demo?',
    FromCountry: 'US',
    To: '+14155550199',
    ToZip: '94103',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: `AC${randomHex(32)}`,
    From: fictionalPhone(),
    ApiVersion: '2010-04-01',
  };
  const url = `${base}/in/twilio`;
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
      'user-agent': 'TwilioProxy/1.1',
      'i-twilio-idempotency-token': randomUUID(),
      'x-twilio-signature': client.getExpectedTwilioSignature(secret, url, params),
    },
    body: new URLSearchParams(params).toString(),
  };
}

async function paddle({ email, secret }) {
  const now = new Date().toISOString();
  const body = JSON.stringify({
    event_id: `evt_${randomFrom(ALNUM, 26)}`,
    event_type: 'customer.created',
    occurred_at: now,
    notification_id: `ntf_${randomFrom(ALNUM, 26)}`,
    data: {
      id: `ctm_${randomFrom(ALNUM, 26)}`,
      name: 'Hedy Lamarr',
      email,
      locale: 'en',
      status: 'active',
      custom_data: null,
      created_at: now,
      updated_at: now,
      marketing_consent: false,
      import_meta: null,
    },
  });
  const ts = seconds();
  return {
    headers: {
      ...json,
      'paddle-signature': `ts=${ts};h1=${await hmacHex('SHA-256', secret, `${ts}:${body}`)}`,
    },
    body,
  };
}

async function mandrill({ email, secret, base }) {
  const ts = seconds();
  const events = JSON.stringify([
    {
      event: 'send',
      _id: randomHex(32),
      ts,
      msg: {
        ts,
        subject: 'Your Inlet demo is booked',
        email,
        sender: 'hello@inlet.example',
        tags: ['demo-booked'],
        state: 'sent',
        metadata: { user_id: 'usr_1042' },
        _id: randomHex(32),
        _version: randomHex(22),
      },
    },
  ]);
  const url = `${base}/in/mandrill`;
  // Mandrill signs the webhook URL followed by each POST parameter, sorted: here the one `mandrill_events`.
  return {
    headers: {
      ...form,
      'user-agent': 'Mandrill-Webhook/1.0',
      'x-mandrill-signature': await hmacBase64('SHA-1', secret, `${url}mandrill_events${events}`),
    },
    body: new URLSearchParams({ mandrill_events: events }).toString(),
  };
}

async function intercom({ email, secret }) {
  const created = seconds();
  const body = JSON.stringify({
    type: 'notification_event',
    app_id: 'inletdev',
    data: {
      type: 'notification_event_data',
      item: {
        type: 'contact',
        id: randomHex(24),
        workspace_id: 'inletdev',
        external_id: null,
        role: 'lead',
        email,
        phone: '+442079460321',
        name: 'Alan Turing',
        avatar: null,
        owner_id: null,
        has_hard_bounced: false,
        marked_email_as_spam: false,
        unsubscribed_from_emails: false,
        created_at: created,
        updated_at: created,
        signed_up_at: null,
        last_seen_at: created,
        browser: 'chrome',
        os: 'OS X',
        location: { type: 'location', country: 'United Kingdom', region: 'England', city: 'London' },
        custom_attributes: {},
        tags: { type: 'list', data: [] },
      },
    },
    links: {},
    id: `notif_${randomUUID()}`,
    topic: 'contact.created',
    delivery_status: 'pending',
    delivery_attempts: 1,
    delivered_at: 0,
    first_sent_at: created,
    created_at: created,
    self: null,
  });
  return {
    headers: {
      ...json,
      'user-agent': 'intercom-parrot-service-rb',
      'x-hub-signature': `sha1=${await hmacHex('SHA-1', secret, body)}`,
    },
    body,
  };
}

async function pipedrive({ email, secret }) {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const id = Number(randomDigits(5));
  const body = JSON.stringify({
    data: {
      id,
      name: 'Grace Kelly',
      first_name: 'Grace',
      last_name: 'Kelly',
      emails: [{ value: email, primary: true, label: 'work' }],
      phones: [{ value: '+377 93 15 00 00', primary: true, label: 'work' }],
      org_id: 1204,
      owner_id: 13298511,
      add_time: now,
      update_time: now,
      visible_to: '3',
      label_ids: [],
      custom_fields: {},
    },
    previous: null,
    meta: {
      action: 'create',
      entity: 'person',
      entity_id: String(id),
      id: randomUUID(),
      is_bulk_edit: false,
      timestamp: now,
      type: 'general',
      version: '2.0',
      company_id: '11205488',
      user_id: '13298511',
      correlation_id: randomUUID(),
      host: 'inlet-dev.pipedrive.com',
      attempt: 1,
      change_source: 'app',
    },
  });
  return {
    headers: { ...json, authorization: `Basic ${Buffer.from(secret).toString('base64')}` },
    body,
  };
}

async function zapier({ email, secret }) {
  const body = JSON.stringify({
    email,
    first_name: 'Dorothy',
    last_name: 'Vaughan',
    phone: '(757) 555-0158',
    company: 'West Area Computing',
    lead_source: 'Zapier: LinkedIn Lead Gen Forms',
    utm_source: 'linkedin',
    utm_campaign: 'q4-webinar',
  });
  return { headers: { ...json, authorization: `Bearer ${secret}` }, body };
}

async function mailchimp({ email, secret }) {
  const firedAt = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '');
  const body = new URLSearchParams({
    type: 'subscribe',
    fired_at: firedAt,
    'data[id]': randomHex(10),
    'data[email]': email,
    'data[email_type]': 'html',
    'data[ip_opt]': '198.51.100.23',
    'data[web_id]': randomDigits(9),
    'data[merges][EMAIL]': email,
    'data[merges][FNAME]': 'Mary',
    'data[merges][LNAME]': 'Jackson',
    'data[merges][PHONE]': '(757) 555-0161',
    'data[list_id]': randomHex(10),
  }).toString();
  return {
    path: `/in/mailchimp?token=${encodeURIComponent(secret)}`,
    headers: { ...form, 'user-agent': 'MailChimp' },
    body,
  };
}

/** Every source of the local configuration, in registry order, with its scheme and expected outcome. */
export const SOURCES = {
  demo: { scheme: 'Standard Webhooks', build: demo },
  n8n: { scheme: 'Inlet HMAC (n8n, Make)', build: n8n },
  typeform: { scheme: 'Typeform-Signature', build: typeform },
  calendly: { scheme: 'Calendly-Webhook-Signature', build: calendly },
  hubspot: { scheme: 'HubSpot v3 signature', build: hubspot },
  meta: { scheme: 'X-Hub-Signature-256, lead from the fake Graph API', build: meta },
  zoom: { scheme: 'x-zm-signature', build: zoom },
  tally: { scheme: 'Tally-Signature', build: tally },
  // No route in inlet.config.ts: its events are kept as `unrouted`.
  jotform: { scheme: 'token in the URL, multipart form', build: jotform, expect: 'unrouted' },
  webflow: { scheme: 'x-webflow-signature', build: webflow },
  calcom: { scheme: 'X-Cal-Signature-256', build: calcom },
  stripe: { scheme: 'Stripe-Signature', build: stripe },
  svix: { scheme: 'Svix', build: svix },
  github: { scheme: 'X-Hub-Signature-256', build: github, expect: 'invalid' },
  shopify: { scheme: 'X-Shopify-Hmac-Sha256', build: shopify },
  slack: { scheme: 'X-Slack-Signature', build: slack, expect: 'invalid' },
  twilio: { scheme: 'X-Twilio-Signature, form post', build: twilio },
  paddle: { scheme: 'Paddle-Signature', build: paddle },
  mandrill: { scheme: 'X-Mandrill-Signature, form post', build: mandrill, expect: 'invalid' },
  intercom: { scheme: 'X-Hub-Signature (SHA-1)', build: intercom },
  pipedrive: { scheme: 'HTTP Basic', build: pipedrive },
  zapier: { scheme: 'Authorization: Bearer', build: zapier },
  mailchimp: { scheme: 'token in the URL, form post', build: mailchimp },
};

// --- sending and polling -------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForEvent(base, adminToken, id) {
  const deadline = Date.now() + TIMEOUT_MS;
  let event;
  for (;;) {
    const response = await fetch(`${base}/admin/events/${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    if (response.status === 401) throw new Error('the admin API refused ADMIN_TOKEN from .dev.vars');
    if (response.ok) event = await response.json();
    if (event && FINAL.includes(event.status)) return { event, final: true };
    if (Date.now() >= deadline) return { event, final: false };
    await sleep(POLL_MS);
  }
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function describeAttempt(attempt) {
  const outcome =
    attempt.reason ??
    (attempt.http_status ? `HTTP ${attempt.http_status}` : (attempt.error_class ?? 'no answer'));
  const retry = attempt.retry_in_s ? `, retry in ${attempt.retry_in_s} s` : '';
  const to = attempt.destination ? `${attempt.destination} ` : '';
  return `${to}#${attempt.attempt} ${outcome} in ${attempt.duration_ms} ms${retry}`;
}

/**
 * Sends the sample of one source and waits for its events. Returns `{ ok, line }`: whether every
 * event ended as expected, and a one-line summary. With `verbose`, prints the request's answer and
 * each event's status, attempts and lead as it goes.
 */
export async function sendOne(name, { email, base, graph, vars, verbose }) {
  const source = SOURCES[name];
  const expect = source.expect ?? 'delivered';
  const fail = (why) => ({ ok: false, line: why });
  const secretVar = `SOURCE_${name.toUpperCase()}_SECRET`;
  const secret = (vars[secretVar] ?? '').split(/\s+/).find(Boolean);
  if (!secret) return fail(`${secretVar} is not set in .dev.vars`);
  const to = email ?? `${name}.${Date.now()}@example.com`;

  let request;
  try {
    request = await source.build({ email: to, secret, base, graph });
  } catch (error) {
    return fail(error.message);
  }
  const path = request.path ?? `/in/${name}`;
  let response;
  try {
    response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
  } catch (error) {
    return fail(`cannot reach ${base} (${networkError(error)}): is \`npm run dev\` running?`);
  }
  const text = await response.text();
  // The printed path leaves out the query, where Jotform and Mailchimp carry their token.
  const posted = `POST /in/${name} -> ${response.status} ${text}`;
  if (verbose) console.log(posted);
  let answer = {};
  try {
    answer = JSON.parse(text);
  } catch {}
  const ids = answer.ids ?? (answer.id ? [answer.id] : []);
  if (!response.ok || ids.length === 0) return fail(posted);

  const results = [];
  for (const id of ids) {
    let polled;
    try {
      polled = await waitForEvent(base, vars.ADMIN_TOKEN, id);
    } catch (error) {
      return fail(`${posted}; reading ${id} back failed: ${networkError(error)}`);
    }
    const { event, final } = polled;
    const status = final ? event.status : `still ${event?.status ?? 'unknown'} after ${TIMEOUT_MS / 1000} s`;
    const attempts = event?.attempts ?? [];
    const ok = final && event.status === expect;
    results.push({ id, ok, status, event });
    if (verbose) {
      const why = event?.last_error ? ` (${event.last_error})` : '';
      console.log(`event ${id}: ${status}${why}, ${plural(attempts.length, 'attempt')}`);
      for (const attempt of attempts) console.log(`  ${describeAttempt(attempt)}`);
      if (event?.lead) console.log('lead:', JSON.stringify(event.lead, null, 2));
      for (const delivery of event?.deliveries ?? [])
        console.log(
          `  → ${delivery.destination}: ${delivery.status}${delivery.record_id ? ` (${delivery.record_id})` : ''}`,
        );
      if (final && event.status === 'invalid' && expect === 'invalid') {
        console.log(
          `(expected: a ${name} event carries no contact, so it is kept as invalid, not delivered)`,
        );
      } else if (final && event.status === 'unrouted' && expect === 'unrouted') {
        console.log(`(expected: no route of inlet.config.ts takes ${name}; the event is kept for a replay)`);
      } else if (!ok) {
        console.log(`expected ${expect}: see the \`npm run dev\` output`);
      }
    }
  }
  const line = results
    .map(({ id, status, event }) => {
      const attempts = plural(event?.attempts?.length ?? 0, 'attempt');
      const to = (event?.deliveries ?? []).map((d) => `${d.destination} ${d.status}`).join(', ');
      const why = event?.last_error ? ` (${event.last_error})` : '';
      const who = event?.lead?.email ?? event?.lead?.phone ?? '';
      return `${status}${why}  ${id}  ${attempts}${to ? ` (${to})` : ''}${who ? `  ${who}` : ''}`;
    })
    .join('; ');
  return { ok: results.every((r) => r.ok), line: `${response.status}  ${line}` };
}

function usage() {
  const width = Math.max(...Object.keys(SOURCES).map((name) => name.length));
  return [
    'usage: npm run send -- <source|all> [email] [--url http://127.0.0.1:8787] [--graph http://127.0.0.1:8789]',
    '',
    'Sends a sample request, signed as the provider signs it with the development secret from',
    '.dev.vars, to POST /in/<source> of a running `npm run dev`, and waits for the event.',
    '',
    'sources:',
    ...Object.entries(SOURCES).map(
      ([name, { scheme, expect }]) =>
        `  ${name.padEnd(width)}  ${scheme}${expect === 'invalid' ? ' (no contact: ends invalid)' : expect === 'unrouted' ? ' (no route: ends unrouted)' : ''}`,
    ),
    `  ${'all'.padEnd(width)}  every source above, one after the other`,
  ].join('\n');
}

function parseArgs(argv) {
  const options = { base: DEFAULT_URL, graph: DEFAULT_GRAPH, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const flag = /^--(url|graph)(?:=(.*))?$/.exec(arg);
    if (flag) {
      const value = flag[2] ?? argv[++i];
      if (!value) throw new Error(`--${flag[1]} needs a value`);
      options[flag[1] === 'url' ? 'base' : 'graph'] = value.replace(/\/+$/, '');
    } else if (arg === '-h' || arg === '--help') {
      options.help = true;
    } else if (arg.startsWith('--')) {
      throw new Error(`unknown option ${arg}`);
    } else {
      options.positional.push(arg);
    }
  }
  return options;
}

/** Runs the command line (without `node` and the script); returns the exit code. */
export async function main(argv) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    console.error(`${error.message}\n\n${usage()}`);
    return 1;
  }
  const [name, email, ...extra] = options.positional;
  if (options.help) {
    console.log(usage());
    return 0;
  }
  if (!name || (name !== 'all' && !(name in SOURCES)) || extra.length > 0) {
    if (name && !(name in SOURCES) && name !== 'all') console.error(`unknown source: ${name}\n`);
    console.error(usage());
    return 1;
  }
  if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email)) {
    console.error(`not an email address: ${email}`);
    return 1;
  }

  // Run from the repository root, where .dev.vars lives, whatever the caller's directory.
  process.chdir(fileURLToPath(new URL('..', import.meta.url)));
  ensureDevVars();
  const vars = readDevVars();
  const context = { email, base: options.base, graph: options.graph, vars };

  if (name !== 'all') {
    const { ok, line } = await sendOne(name, { ...context, verbose: true });
    if (!ok && !line.startsWith('POST ')) console.error(line);
    return ok ? 0 : 1;
  }

  const names = Object.keys(SOURCES);
  const width = Math.max(...names.map((n) => n.length));
  let passed = 0;
  for (const source of names) {
    const { ok, line } = await sendOne(source, { ...context, verbose: false });
    if (ok) passed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'}  ${source.padEnd(width)}  ${line}`);
  }
  const failed = names.length - passed;
  console.log(
    `\n${passed}/${names.length} sources ended as expected${failed > 0 ? `, ${failed} did not` : ''}`,
  );
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exit(await main(process.argv.slice(2)));
}
