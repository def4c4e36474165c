import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { hmacHex, inbound, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

// Cal.com signs with Node's crypto in its server; here per its source: hex HMAC-SHA256 of the body.
const SECRET = 'calcom-webhook-secret';
const BODY = JSON.stringify({
  triggerEvent: 'BOOKING_CREATED',
  createdAt: '2026-01-15T11:59:59.000Z',
  payload: { uid: 'bFJeNb2uX8ANpT3JL5EfXw', bookingId: 91, attendees: [{ email: 'ada@example.com' }] },
});

const sign = async ({ secret, body, mangle = (s) => s }: SignInput) =>
  inbound({ headers: { 'x-cal-signature-256': mangle(await hmacHex('SHA-256', secret, body)) }, body });

describe('calcom preset', () => {
  signedSchemeCases({
    preset: presets.calcom,
    sign,
    secret: SECRET,
    rotatedSecret: 'calcom-webhook-secret-rotated',
    body: BODY,
    tamperedBody: BODY.replace('ada@', 'eve@'),
    requiredHeaders: ['x-cal-signature-256'],
    encoding: 'hex',
  });

  it('refuses a webhook saved without a secret', async () => {
    const request = inbound({ headers: { 'x-cal-signature-256': 'no-secret-provided' }, body: BODY });
    expect(await verify(presets.calcom, request, [SECRET])).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
    expect(await verify(presets.calcom, request, ['no-secret-provided'])).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it('keys on the trigger and the booking uid', () => {
    expect(presets.calcom.idempotencyKey?.(inbound({}), JSON.parse(BODY))).toBe(
      'BOOKING_CREATED:bFJeNb2uX8ANpT3JL5EfXw',
    );
  });
});
