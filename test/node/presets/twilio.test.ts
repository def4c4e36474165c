import {
  getExpectedTwilioSignature,
  validateRequest,
  validateRequestWithBody,
} from 'twilio/lib/webhooks/webhooks';
import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { inbound, sha256HexOf, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' };
const TOKEN = 'twilio-auth-token-0123456789abcd';
const URL = 'https://inlet.example/in/twilio';
const IDEMPOTENCY = 'AC0123456789abcdef0123456789abcdef-5e0b5d1f0d7c1e1b';
const BODY = new URLSearchParams({
  MessageSid: 'SM1234567890abcdef1234567890abcdef',
  SmsStatus: 'received',
  From: '+14155550100',
  To: '+14155550199',
  Body: 'Hi, I would like a quote',
}).toString();

const paramsOf = (body: string) => Object.fromEntries(new URLSearchParams(body));

const sign = async ({ secret, body, mangle = (s) => s }: SignInput) =>
  inbound({
    url: URL,
    headers: {
      ...FORM,
      'x-twilio-signature': mangle(getExpectedTwilioSignature(secret, URL, paramsOf(body))),
      'i-twilio-idempotency-token': IDEMPOTENCY,
    },
    body,
  });

describe('twilio preset', () => {
  it("matches Twilio's documented test vector", async () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    };
    const request = inbound({
      url,
      headers: { ...FORM, 'x-twilio-signature': '0/KCTR6DLpKmkAf8muzZqo1nDgQ=' },
      body: new URLSearchParams(params).toString(),
    });
    expect(await verify(presets.twilio, request, ['12345'])).toEqual({ ok: true });
    expect(validateRequest('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, params)).toBe(true);
  });

  signedSchemeCases({
    preset: presets.twilio,
    sign,
    secret: TOKEN,
    rotatedSecret: 'twilio-secondary-token-fedcba987',
    body: BODY,
    tamperedBody: BODY.replace('quote', 'refund'),
    requiredHeaders: ['x-twilio-signature'],
    encoding: 'base64',
    deliveryId: IDEMPOTENCY,
  });

  it.each([
    ['with the default port, received without it', 'https://inlet.example:443/in/twilio', URL],
    ['without the port, received with it', URL, 'https://inlet.example:443/in/twilio'],
  ])('verifies a URL signed %s', async (_name, signedUrl, receivedUrl) => {
    const signature = getExpectedTwilioSignature(TOKEN, signedUrl, paramsOf(BODY));
    const request = inbound({
      url: receivedUrl,
      headers: { ...FORM, 'x-twilio-signature': signature },
      body: BODY,
    });
    expect((await verify(presets.twilio, request, [TOKEN])).ok).toBe(true);
  });

  describe('JSON bodies, signed through bodySHA256 in the URL', () => {
    const json = JSON.stringify({
      event: 'com.twilio.messaging.inbound-message.received',
      from: '+14155550100',
    });
    const signedJson = async (body: string, hash: string) => {
      const url = `${URL}?bodySHA256=${hash}`;
      const signature = getExpectedTwilioSignature(TOKEN, url, {});
      return inbound({
        url,
        headers: { 'content-type': 'application/json', 'x-twilio-signature': signature },
        body,
      });
    };

    it('accepts a body that hashes to the signed bodySHA256', async () => {
      const hash = await sha256HexOf(json);
      const request = await signedJson(json, hash);
      expect(
        validateRequestWithBody(TOKEN, request.headers.get('x-twilio-signature') ?? '', request.url, json),
      ).toBe(true);
      expect((await verify(presets.twilio, request, [TOKEN])).ok).toBe(true);
    });

    it('rejects a body that does not', async () => {
      const request = await signedJson(json.replace('4155550100', '4155550101'), await sha256HexOf(json));
      expect(await verify(presets.twilio, request, [TOKEN])).toEqual({
        ok: false,
        reason: 'no_matching_signature',
      });
    });

    it('rejects a JSON body without bodySHA256, whose bytes no signature would cover', async () => {
      const signature = getExpectedTwilioSignature(TOKEN, URL, {});
      const request = inbound({
        url: URL,
        headers: { 'content-type': 'application/json', 'x-twilio-signature': signature },
        body: json,
      });
      expect(await verify(presets.twilio, request, [TOKEN])).toEqual({
        ok: false,
        reason: 'malformed_signature',
      });
    });
  });

  it('keys on the message sid and its status', () => {
    expect(presets.twilio.idempotencyKey?.(inbound({ headers: FORM, body: BODY }), {})).toBe(
      'SM1234567890abcdef1234567890abcdef:received',
    );
  });
});
