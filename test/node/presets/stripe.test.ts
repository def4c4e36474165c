import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { stripePreset } from '../../../src/sources/presets/stripe';
import { hmacHex, inbound, NOW_MS, seconds, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

const SECRET = 'whsec_test_inlet_stripe_0123456789abcdef';
const ROTATED = 'whsec_test_inlet_stripe_rotated_fedcba987654';
const BODY = JSON.stringify({
  id: 'evt_1QnXyZ2eZvKYlo2C0a1b2c3d',
  object: 'event',
  type: 'checkout.session.completed',
  data: { object: { id: 'cs_test_a1', customer_details: { email: 'ada@example.com' } } },
});

const sign = async ({ secret, body, timestampMs, mangle = (s) => s }: SignInput) => {
  const header = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    timestamp: seconds(timestampMs),
  });
  return inbound({
    headers: {
      'stripe-signature': header.replace(/v1=([0-9a-f]+)/, (_m, sig: string) => `v1=${mangle(sig)}`),
    },
    body,
  });
};

describe('stripe preset', () => {
  signedSchemeCases({
    preset: presets.stripe,
    sign,
    secret: SECRET,
    rotatedSecret: ROTATED,
    body: BODY,
    tamperedBody: BODY.replace('ada@', 'eve@'),
    requiredHeaders: ['stripe-signature'],
    encoding: 'hex',
    toleranceSeconds: 300,
  });

  it('accepts a header carrying the signatures of both secrets during a roll', async () => {
    const t = seconds(NOW_MS);
    const old = await hmacHex('SHA-256', ROTATED, `${t}.`, BODY);
    const current = await hmacHex('SHA-256', SECRET, `${t}.`, BODY);
    const request = inbound({
      headers: { 'stripe-signature': `t=${t},v1=${old},v1=${current},v0=00` },
      body: BODY,
    });
    expect((await verify(presets.stripe, request, [SECRET])).ok).toBe(true);
  });

  it.each([
    ['only a v0 signature', (t: number, sig: string) => `t=${t},v0=${sig}`],
    ['no timestamp', (_t: number, sig: string) => `v1=${sig}`],
    ['two timestamps', (t: number, sig: string) => `t=${t},t=${t + 1},v1=${sig}`],
    ['a non-numeric timestamp', (_t: number, sig: string) => `t=soon,v1=${sig}`],
  ])('rejects a header with %s as malformed', async (_name, header) => {
    const t = seconds(NOW_MS);
    const sig = await hmacHex('SHA-256', SECRET, `${t}.`, BODY);
    const request = inbound({ headers: { 'stripe-signature': header(t, sig) }, body: BODY });
    expect(await verify(presets.stripe, request, [SECRET])).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it('takes its tolerance from the factory', async () => {
    const request = await sign({ secret: SECRET, body: BODY, timestampMs: NOW_MS - 600_000 });
    expect((await verify(stripePreset({ toleranceSeconds: 900 }), request, [SECRET])).ok).toBe(true);
  });

  it('keys on the event id', () => {
    expect(presets.stripe.idempotencyKey?.(inbound({}), JSON.parse(BODY))).toBe(
      'evt_1QnXyZ2eZvKYlo2C0a1b2c3d',
    );
    expect(presets.stripe.idempotencyKey?.(inbound({}), { object: 'event' })).toBeUndefined();
  });
});
