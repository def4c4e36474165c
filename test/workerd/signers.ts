// Requests signed the way each provider signs them (their documented schemes, in WebCrypto), with
// the development secrets of .dev.vars.example that vitest.config.ts binds: a workerd test posts a
// provider's published example exactly as the provider would. The Node suite signs with the
// providers' own SDKs (test/node/presets/).
import { env } from 'cloudflare:workers';
import { hmac, toBase64, toHex, utf8 } from '../../src/verify/crypto';
import { BASE, call } from './helpers';

const dev = env as unknown as Record<string, string>;
const secret = (source: string) =>
  (dev[`SOURCE_${source.toUpperCase().replaceAll('-', '_')}_SECRET`] ?? '').split(/\s+/)[0] ?? '';
const sha256 = (key: string, text: string) => hmac('SHA-256', utf8(key), utf8(text));

export type Signed = { path: string; headers: Record<string, string> };

/** How each provider signs `body` sent to `/in/<source>` (the source's type names the provider). */
export async function sign(
  provider: string,
  source: string,
  body: string,
  contentType: string,
  /** The source whose secret signs, when it borrows another's (test/inlet.config.ts). */
  secretOf = source,
): Promise<Signed> {
  const key = secret(secretOf);
  const path = `/in/${source}`;
  const base = { 'content-type': contentType };
  const seconds = String(Math.floor(Date.now() / 1000));
  switch (provider) {
    case 'typeform':
      return {
        path,
        headers: { ...base, 'typeform-signature': `sha256=${toBase64(await sha256(key, body))}` },
      };
    case 'tally':
      return { path, headers: { ...base, 'tally-signature': toBase64(await sha256(key, body)) } };
    case 'calcom':
      return { path, headers: { ...base, 'x-cal-signature-256': toHex(await sha256(key, body)) } };
    case 'meta':
      return {
        path,
        headers: { ...base, 'x-hub-signature-256': `sha256=${toHex(await sha256(key, body))}` },
      };
    case 'calendly':
      return {
        path,
        headers: {
          ...base,
          'calendly-webhook-signature': `t=${seconds},v1=${toHex(await sha256(key, `${seconds}.${body}`))}`,
        },
      };
    case 'zoom':
      return {
        path,
        headers: {
          ...base,
          'x-zm-request-timestamp': seconds,
          'x-zm-signature': `v0=${toHex(await sha256(key, `v0:${seconds}:${body}`))}`,
        },
      };
    case 'webflow': {
      const ms = String(Date.now());
      return {
        path,
        headers: {
          ...base,
          'x-webflow-timestamp': ms,
          'x-webflow-signature': toHex(await sha256(key, `${ms}:${body}`)),
        },
      };
    }
    case 'hubspot': {
      const ms = String(Date.now());
      const signature = toBase64(await sha256(key, `POST${BASE}${path}${body}${ms}`));
      return {
        path,
        headers: { ...base, 'x-hubspot-request-timestamp': ms, 'x-hubspot-signature-v3': signature },
      };
    }
    case 'stripe':
      // The whole `whsec_...` string is the key (src/sources/presets/stripe.ts).
      return {
        path,
        headers: {
          ...base,
          'stripe-signature': `t=${seconds},v1=${toHex(await sha256(key, `${seconds}.${body}`))}`,
        },
      };
    case 'shopify':
      return { path, headers: { ...base, 'x-shopify-hmac-sha256': toBase64(await sha256(key, body)) } };
    case 'intercom':
      return {
        path,
        headers: { ...base, 'x-hub-signature': `sha1=${toHex(await hmac('SHA-1', utf8(key), utf8(body)))}` },
      };
    case 'paddle':
      return {
        path,
        headers: {
          ...base,
          'paddle-signature': `ts=${seconds};h1=${toHex(await sha256(key, `${seconds}:${body}`))}`,
        },
      };
    case 'jotform':
    case 'mailchimp':
      return { path: `${path}?token=${encodeURIComponent(key)}`, headers: base };
    case 'pipedrive':
      return { path, headers: { ...base, authorization: `Basic ${btoa(key)}` } };
    default:
      throw new Error(`no signer for ${provider}`);
  }
}

/** Posts `body` to the source signed as its provider signs, and answers the response. */
export async function postSigned(
  provider: string,
  source: string,
  body: string,
  contentType = 'application/json',
  secretOf = source,
): Promise<Response> {
  const signed = await sign(provider, source, body, contentType, secretOf);
  return call(signed.path, { method: 'POST', headers: signed.headers, body });
}
