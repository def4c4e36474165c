import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { hmacBase64, inbound } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

// No signing helper from Tally: `Tally-Signature` is the base64 HMAC-SHA256 of the body.
const BODY = JSON.stringify({
  eventId: 'a4cb511e-d513-4fa5-baee-b815d718dfd1',
  eventType: 'FORM_RESPONSE',
  createdAt: '2026-01-15T11:59:59.000Z',
  data: {
    responseId: '2wgx4n',
    formId: 'VwbNEw',
    fields: [{ key: 'question_3EKz4n', value: 'ada@example.com' }],
  },
});

const sign = async ({ secret, body, mangle = (s) => s }: SignInput) =>
  inbound({ headers: { 'tally-signature': mangle(await hmacBase64('SHA-256', secret, body)) }, body });

describe('tally preset', () => {
  signedSchemeCases({
    preset: presets.tally,
    sign,
    secret: 'tally-signing-secret',
    rotatedSecret: 'tally-signing-secret-rotated',
    body: BODY,
    tamperedBody: BODY.replace('ada@', 'eve@'),
    requiredHeaders: ['tally-signature'],
    encoding: 'base64',
  });

  it('keys on the event id', () => {
    expect(presets.tally.idempotencyKey?.(inbound({}), JSON.parse(BODY))).toBe(
      'a4cb511e-d513-4fa5-baee-b815d718dfd1',
    );
  });
});
