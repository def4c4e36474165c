import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { paddlePreset } from '../../../src/sources/presets/paddle';
import { hmacHex, inbound, NOW_MS, seconds, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

// Paddle's SDK only verifies: signed per its docs, `ts=<s>;h1=hex(HMAC-SHA256(key, ts:body))`.
const SECRET = 'pdl_ntfset_01hv8x3q5c8k4m2n6p7r9s0t1u_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345';
const BODY = JSON.stringify({
  event_id: 'evt_01hv8x2a0b1c2d3e4f5g6h7j8k',
  event_type: 'customer.created',
  occurred_at: '2026-01-15T12:00:00.000000Z',
  notification_id: 'ntf_01hv8x2a0b1c2d3e4f5g6h7j8k',
  data: { id: 'ctm_01hv8x', email: 'ada@example.com' },
});

const sign = async ({ secret, body, timestampMs, mangle = (s) => s }: SignInput) => {
  const ts = seconds(timestampMs);
  const signature = mangle(await hmacHex('SHA-256', secret, `${ts}:`, body));
  return inbound({ headers: { 'paddle-signature': `ts=${ts};h1=${signature}` }, body });
};

describe('paddle preset', () => {
  signedSchemeCases({
    preset: presets.paddle,
    sign,
    secret: SECRET,
    rotatedSecret: 'pdl_ntfset_01hv8x3q5c8k4m2n6p7r9s0t1v_rotatedSecretValue0123456789',
    body: BODY,
    tamperedBody: BODY.replace('ada@', 'eve@'),
    requiredHeaders: ['paddle-signature'],
    encoding: 'hex',
    toleranceSeconds: 5,
  });

  it('signs the timestamp with a colon, not a dot as Stripe does', async () => {
    const ts = seconds(NOW_MS);
    const dotted = await hmacHex('SHA-256', SECRET, `${ts}.`, BODY);
    const request = inbound({ headers: { 'paddle-signature': `ts=${ts};h1=${dotted}` }, body: BODY });
    expect(await verify(presets.paddle, request, [SECRET])).toEqual({
      ok: false,
      reason: 'no_matching_signature',
    });
  });

  it('takes its tolerance from the factory', async () => {
    const request = await sign({ secret: SECRET, body: BODY, timestampMs: NOW_MS - 60_000 });
    expect((await verify(presets.paddle, request, [SECRET])).ok).toBe(false);
    expect((await verify(paddlePreset({ toleranceSeconds: 120 }), request, [SECRET])).ok).toBe(true);
  });

  it('keys on the event id', () => {
    expect(presets.paddle.idempotencyKey?.(inbound({}), JSON.parse(BODY))).toBe(
      'evt_01hv8x2a0b1c2d3e4f5g6h7j8k',
    );
  });
});
