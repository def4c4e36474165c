import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { hmacHex, inbound } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

// No signing helper from Intercom: `X-Hub-Signature: sha1=` + hex HMAC-SHA1 of the body.
const BODY = JSON.stringify({
  type: 'notification_event',
  id: 'notif_ccd8a4d2-c8b6-4d9f-8a3e-5f1c2a9b7e10',
  topic: 'contact.lead.created',
  data: { item: { type: 'contact', role: 'lead', email: 'ada@example.com' } },
});

const sign = async ({ secret, body, mangle = (s) => s }: SignInput) =>
  inbound({ headers: { 'x-hub-signature': `sha1=${mangle(await hmacHex('SHA-1', secret, body))}` }, body });

describe('intercom preset', () => {
  signedSchemeCases({
    preset: presets.intercom,
    sign,
    secret: 'intercom-client-secret',
    rotatedSecret: 'intercom-client-secret-rotated',
    body: BODY,
    tamperedBody: BODY.replace('ada@', 'eve@'),
    requiredHeaders: ['x-hub-signature'],
    encoding: 'hex',
  });

  it('keys on the notification id', () => {
    expect(presets.intercom.idempotencyKey?.(inbound({}), JSON.parse(BODY))).toBe(
      'notif_ccd8a4d2-c8b6-4d9f-8a3e-5f1c2a9b7e10',
    );
  });
});
