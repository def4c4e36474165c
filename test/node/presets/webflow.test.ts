import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { hmacHex, inbound, NOW_MS, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

// No signing helper from Webflow: hex HMAC-SHA256 of `${timestamp}:${body}`, timestamp in milliseconds.
const SECRET = 'webflow-client-secret-0123456789';
const BODY = JSON.stringify({
  triggerType: 'form_submission',
  payload: {
    name: 'Contact',
    siteId: '65427cf400e02b306eaa049c',
    data: { Email: 'ada@example.com' },
    submittedAt: '2026-01-15T11:59:59.000Z',
    id: '6321ca84df3949bfc6752327',
    formId: '65429eadebe8a9f3a30f62d0',
  },
});

const sign = async ({ secret, body, timestampMs, mangle = (s) => s }: SignInput) =>
  inbound({
    headers: {
      'x-webflow-signature': mangle(await hmacHex('SHA-256', secret, `${timestampMs}:`, body)),
      'x-webflow-timestamp': String(timestampMs),
    },
    body,
  });

describe('webflow preset', () => {
  signedSchemeCases({
    preset: presets.webflow,
    sign,
    secret: SECRET,
    rotatedSecret: 'webflow-client-secret-rotated-987',
    body: BODY,
    tamperedBody: BODY.replace('ada@', 'eve@'),
    requiredHeaders: ['x-webflow-signature', 'x-webflow-timestamp'],
    encoding: 'hex',
    toleranceSeconds: 300,
  });

  it('reads the timestamp as milliseconds, not seconds', async () => {
    const seconds = String(NOW_MS / 1000);
    const request = inbound({
      headers: {
        'x-webflow-signature': await hmacHex('SHA-256', SECRET, `${seconds}:`, BODY),
        'x-webflow-timestamp': seconds,
      },
      body: BODY,
    });
    expect(await verify(presets.webflow, request, [SECRET])).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
  });

  it('keys on the trigger and the submission id', () => {
    expect(presets.webflow.idempotencyKey?.(inbound({}), JSON.parse(BODY))).toBe(
      'form_submission:6321ca84df3949bfc6752327',
    );
  });
});
