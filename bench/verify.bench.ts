// CPU cost of the pure hot path, side by side: `npm run bench` prints each group with ratios.
// Runs in Node (V8, like workerd); absolute numbers differ from the edge, ratios carry over.
import * as v from 'valibot';
import { bench, describe } from 'vitest';
import { signStandardWebhook } from '../src/destinations/webhook';
import { flatLead } from '../src/leads/mappings/flat';
import { parsePayload } from '../src/pipeline/parse';
import { sha256Hex, utf8 } from '../src/verify/crypto';
import { genericHmac, INLET_HMAC } from '../src/verify/generic-hmac';
import { standardWebhooks } from '../src/verify/standard-webhooks';
import type { InboundRequest } from '../src/verify/types';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const lead = {
  email: 'ada.lovelace@example.com',
  phone: '+44 20 7946 0958',
  name: 'Ada Lovelace',
  company: 'Analytical Engines Ltd',
  utm_source: 'newsletter',
  utm_campaign: 'launch',
  notes: 'x'.repeat(1500),
};
const small = utf8(JSON.stringify(lead));
const large = utf8(JSON.stringify({ ...lead, notes: 'x'.repeat(1024 * 1024 - 300) }));
const now = 1_764_000_000;

async function swRequest(body: Uint8Array<ArrayBuffer>): Promise<InboundRequest> {
  const headers = await signStandardWebhook(SECRET, 'msg_1', now, body);
  return { method: 'POST', url: 'https://inlet.example/in/demo', headers: new Headers(headers), body };
}
const swSmall = await swRequest(small);
const swLarge = await swRequest(large);
const sw = standardWebhooks();
const flatSchema = flatLead().schema;
const context = { secrets: [SECRET], nowMs: now * 1000 };
const rotating = { secrets: ['whsec_b2xkLXNlY3JldC1vbGQtc2VjcmV0LW9sZA==', SECRET], nowMs: now * 1000 };

const hmacSecret = 'n8n-shared-secret';
const hmacHeaders = new Headers({ 'x-inlet-timestamp': String(now) });
{
  const key = await crypto.subtle.importKey(
    'raw',
    utf8(hmacSecret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign('HMAC', key, utf8(`${now}.${new TextDecoder().decode(small)}`)),
  );
  hmacHeaders.set(
    'x-inlet-signature',
    `sha256=${[...mac].map((b) => b.toString(16).padStart(2, '0')).join('')}`,
  );
}
const n8nRequest: InboundRequest = { ...swSmall, headers: hmacHeaders };
const n8n = genericHmac(INLET_HMAC);

const reusedKey = await crypto.subtle.importKey(
  'raw',
  utf8(hmacSecret),
  { name: 'HMAC', hash: 'SHA-256' },
  false,
  ['verify'],
);
describe('verify a 2 KB lead', () => {
  bench('JSON.parse alone (baseline)', () => {
    JSON.parse(new TextDecoder().decode(small));
  });
  bench('standard webhooks', async () => {
    await sw.verify(swSmall, context);
  });
  bench('standard webhooks, 2 secrets (rotation), match on the 2nd', async () => {
    await sw.verify(swSmall, rotating);
  });
  bench('inlet-hmac (n8n/Make)', async () => {
    await n8n.verify(n8nRequest, { secrets: [hmacSecret], nowMs: now * 1000 });
  });
  bench('raw HMAC verify, key imported on every request (no key cache)', async () => {
    const key = await crypto.subtle.importKey(
      'raw',
      utf8(hmacSecret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    await crypto.subtle.verify('HMAC', key, new Uint8Array(32), small);
  });
  bench('raw HMAC verify, key imported once and reused (with Inlet key cache)', async () => {
    await crypto.subtle.verify('HMAC', reusedKey, new Uint8Array(32), small);
  });
});

describe('the whole pure ingest path (verify + parse + validate + body hash)', () => {
  bench('2 KB lead', async () => {
    await sw.verify(swSmall, context);
    v.parse(flatSchema, await parsePayload('application/json', small));
    await sha256Hex(small);
  });
  bench('1 MiB body', async () => {
    await sw.verify(swLarge, context);
    v.safeParse(flatSchema, await parsePayload('application/json', large));
    await sha256Hex(large);
  });
});
