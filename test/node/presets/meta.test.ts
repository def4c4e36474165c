import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { hmacHex, INGEST_URL, inbound } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

// No signing helper from Meta: `X-Hub-Signature-256: sha256=` + hex HMAC-SHA256 of the body as sent.
const APP_SECRET = 'meta-app-secret-0123456789abcdef';
const VERIFY_TOKEN = 'meta-verify-token-dev';
const leadgen = (leadgenId: string) => ({
  field: 'leadgen',
  value: { leadgen_id: leadgenId, page_id: '1029384756', form_id: '5647382910', created_time: 1768478399 },
});
// Meta escapes non-ASCII characters: the signature covers the escaped form, as sent.
const BODY = JSON.stringify({
  object: 'page',
  entry: [{ id: '1029384756', time: 1768478399, changes: [leadgen('444444444444')] }],
}).replace('}]}]}', ',"note":"Caf\\u00e9"}]}]}');

const sign = async ({ secret, body, mangle = (s) => s }: SignInput) =>
  inbound({
    headers: { 'x-hub-signature-256': `sha256=${mangle(await hmacHex('SHA-256', secret, body))}` },
    body,
  });

const handshake = (query: string, method = 'GET') => inbound({ method, url: `${INGEST_URL}?${query}` });

describe('meta preset', () => {
  signedSchemeCases({
    preset: presets.meta,
    sign,
    secret: APP_SECRET,
    rotatedSecret: 'meta-app-secret-rotated-fedcba98',
    body: BODY,
    tamperedBody: BODY.replace('Caf\\u00e9', 'Café'),
    requiredHeaders: ['x-hub-signature-256'],
    encoding: 'hex',
  });

  it('echoes hub.challenge when the verify token matches', async () => {
    const reply = await presets.meta.challenge?.(
      handshake(`hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY_TOKEN}`),
      VERIFY_TOKEN,
    );
    expect(reply).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: '1158201444' });
  });

  it.each([
    [
      'a wrong verify token',
      'hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess',
      VERIFY_TOKEN,
    ],
    ['no verify token', 'hub.mode=subscribe&hub.challenge=1158201444', VERIFY_TOKEN],
    [
      'another mode',
      `hub.mode=unsubscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY_TOKEN}`,
      VERIFY_TOKEN,
    ],
    ['no challenge', `hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}`, VERIFY_TOKEN],
    [
      'a challenge that is markup',
      `hub.mode=subscribe&hub.challenge=%3Cb%3E&hub.verify_token=${VERIFY_TOKEN}`,
      VERIFY_TOKEN,
    ],
    [
      'no token configured',
      `hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY_TOKEN}`,
      undefined,
    ],
    ['an empty configured token', 'hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=', ''],
  ])('refuses a handshake with %s', async (_name, query, configured) => {
    expect(await presets.meta.challenge?.(handshake(query), configured)).toBeNull();
  });

  it('leaves POSTs to verification', async () => {
    expect(
      await presets.meta.challenge?.(handshake('hub.mode=subscribe', 'POST'), VERIFY_TOKEN),
    ).toBeUndefined();
  });

  it('keys on the Lead Ads leadgen ids, and on nothing for other fields', () => {
    const key = presets.meta.idempotencyKey;
    expect(key?.(inbound({}), JSON.parse(BODY))).toBe('444444444444');
    const two = { object: 'page', entry: [{ changes: [leadgen('1'), leadgen('2')] }] };
    expect(key?.(inbound({}), two)).toBe('1,2');
    const feed = { object: 'page', entry: [{ changes: [{ field: 'feed', value: { post_id: '1_2' } }] }] };
    expect(key?.(inbound({}), feed)).toBeUndefined();
  });
});
