import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { hmacHex, inbound, seconds } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

// Calendly publishes no signing helper: signed per its guide, `t=<s>,v1=hex(HMAC-SHA256(key, t.body))`.
const SECRET = 'calendly-signing-key-0123456789';
const BODY = JSON.stringify({
  created_at: '2026-01-15T11:59:58.000000Z',
  created_by: 'https://api.calendly.com/users/AAAAAAAAAAAAAAAA',
  event: 'invitee.created',
  payload: {
    uri: 'https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ2/invitees/AAAAAAAAAAAAAAAA',
    email: 'ada@example.com',
    name: 'Ada Lovelace',
  },
});

const sign = async ({ secret, body, timestampMs, mangle = (s) => s }: SignInput) => {
  const t = seconds(timestampMs);
  const signature = mangle(await hmacHex('SHA-256', secret, `${t}.`, body));
  return inbound({ headers: { 'calendly-webhook-signature': `t=${t},v1=${signature}` }, body });
};

describe('calendly preset', () => {
  signedSchemeCases({
    preset: presets.calendly,
    sign,
    secret: SECRET,
    rotatedSecret: 'calendly-signing-key-rotated-987',
    body: BODY,
    tamperedBody: BODY.replace('ada@', 'eve@'),
    requiredHeaders: ['calendly-webhook-signature'],
    encoding: 'hex',
    toleranceSeconds: 180,
  });

  it('keys on the event name and the invitee URI', () => {
    expect(presets.calendly.idempotencyKey?.(inbound({}), JSON.parse(BODY))).toBe(
      'invitee.created:https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ2/invitees/AAAAAAAAAAAAAAAA',
    );
    expect(presets.calendly.idempotencyKey?.(inbound({}), { event: 'invitee.created' })).toBeUndefined();
  });
});
