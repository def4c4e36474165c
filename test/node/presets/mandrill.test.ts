import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { mandrillPreset } from '../../../src/sources/presets/mandrill';
import { hmacBase64, inbound, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

// No signing helper from Mandrill: base64 HMAC-SHA1 of the URL + each POST key and value, sorted.
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const URL = 'https://inlet.example/in/mandrill';
const KEY = 'mandrill-webhook-key-0123456789';
const EVENTS = [
  { event: 'open', _id: '7761629', ts: 1768478399, msg: { email: 'ada@example.com' } },
  { event: 'click', _id: '7761629', ts: 1768478400, msg: { email: 'ada@example.com' } },
];
const BODY = new URLSearchParams({ mandrill_events: JSON.stringify(EVENTS) }).toString();

const signFor =
  (url: string) =>
  async ({ secret, body, mangle = (s) => s }: SignInput) => {
    const events = new URLSearchParams(body).get('mandrill_events') ?? '';
    const signature = mangle(await hmacBase64('SHA-1', secret, `${url}mandrill_events${events}`));
    return inbound({ url: URL, headers: { ...FORM, 'x-mandrill-signature': signature }, body });
  };

describe('mandrill preset', () => {
  signedSchemeCases({
    preset: presets.mandrill,
    sign: signFor(URL),
    secret: KEY,
    rotatedSecret: 'mandrill-webhook-key-rotated-98',
    body: BODY,
    tamperedBody: BODY.replace('ada%40', 'eve%40'),
    requiredHeaders: ['x-mandrill-signature'],
    encoding: 'base64',
  });

  it('signs with the URL as entered in Mandrill when it is configured', async () => {
    const entered = 'https://hooks.example.com/mandrill/';
    const request = await signFor(entered)({ secret: KEY, body: BODY, timestampMs: 0 });
    expect((await verify(presets.mandrill, request, [KEY])).ok).toBe(false);
    expect((await verify(mandrillPreset({ webhookUrl: entered }), request, [KEY])).ok).toBe(true);
  });

  it('answers the HEAD probe and the empty test POST, and nothing else', async () => {
    const ok = { status: 200, contentType: 'text/plain; charset=utf-8', body: '' };
    expect(await presets.mandrill.challenge?.(inbound({ method: 'HEAD' }), undefined)).toEqual(ok);
    const test = inbound({ headers: FORM, body: 'mandrill_events=%5B%5D' });
    expect(await presets.mandrill.challenge?.(test, undefined)).toEqual(ok);
    expect(
      await presets.mandrill.challenge?.(inbound({ headers: FORM, body: BODY }), undefined),
    ).toBeUndefined();
  });

  it('keys on each event, its message id and its time', () => {
    expect(presets.mandrill.idempotencyKey?.(inbound({ headers: FORM, body: BODY }), {})).toBe(
      'open:7761629:1768478399,click:7761629:1768478400',
    );
  });
});
