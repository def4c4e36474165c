import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { hmacBase64, hmacHex, inbound, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

// No signing helper from Typeform: `Typeform-Signature: sha256=` + base64 HMAC-SHA256 of the body.
const SECRET = 'typeform-webhook-secret';
const BODY = JSON.stringify({
  event_id: '01JH6Z3K9QF8N5W2XR7C4V1B0M',
  event_type: 'form_response',
  form_response: {
    form_id: 'lT4Z3j',
    token: 'a3a12ec67a1365927098a606107fac15',
    answers: [{ type: 'email', email: 'ada@example.com', field: { id: 'SMEUb7VJz92Q', type: 'email' } }],
  },
});

const sign = async ({ secret, body, mangle = (s) => s }: SignInput) =>
  inbound({
    headers: { 'typeform-signature': `sha256=${mangle(await hmacBase64('SHA-256', secret, body))}` },
    body,
  });

describe('typeform preset', () => {
  signedSchemeCases({
    preset: presets.typeform,
    sign,
    secret: SECRET,
    rotatedSecret: 'typeform-webhook-secret-rotated',
    body: BODY,
    tamperedBody: BODY.replace('ada@', 'eve@'),
    requiredHeaders: ['typeform-signature'],
    encoding: 'base64',
  });

  it('refuses a hex signature where Typeform sends base64', async () => {
    const request = inbound({
      headers: { 'typeform-signature': `sha256=${await hmacHex('SHA-256', SECRET, BODY)}` },
      body: BODY,
    });
    expect(await verify(presets.typeform, request, [SECRET])).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it('keys on the event id', () => {
    expect(presets.typeform.idempotencyKey?.(inbound({}), JSON.parse(BODY))).toBe(
      '01JH6Z3K9QF8N5W2XR7C4V1B0M',
    );
  });
});
