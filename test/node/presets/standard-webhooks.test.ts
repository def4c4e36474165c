import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { standardWebhooksPreset } from '../../../src/sources/presets/standard-webhooks';
import { inbound, seconds, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

// Official vector from the Standard Webhooks specification.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TS = 1614265330;
const BODY = '{"test": 2432232314}';
const EXPECTED = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const sign = async ({ secret, body, timestampMs, mangle = (s) => s }: SignInput) => {
  const signature = new Webhook(secret).sign(ID, new Date(timestampMs), body);
  return inbound({
    headers: {
      'webhook-id': ID,
      'webhook-timestamp': String(seconds(timestampMs)),
      'webhook-signature': `v1,${mangle(signature.slice(3))}`,
    },
    body,
  });
};

describe('standard-webhooks preset', () => {
  it('matches the official test vector', async () => {
    const request = inbound({
      headers: { 'webhook-id': ID, 'webhook-timestamp': String(TS), 'webhook-signature': EXPECTED },
      body: BODY,
    });
    expect(await verify(presets['standard-webhooks'], request, [SECRET], TS * 1000)).toEqual({
      ok: true,
      deliveryId: ID,
    });
  });

  it('takes its tolerance from the factory', async () => {
    const request = await sign({ secret: SECRET, body: BODY, timestampMs: TS * 1000 });
    const nowMs = (TS + 600) * 1000;
    expect((await verify(standardWebhooksPreset(), request, [SECRET], nowMs)).ok).toBe(false);
    expect(
      (await verify(standardWebhooksPreset({ toleranceSeconds: 900 }), request, [SECRET], nowMs)).ok,
    ).toBe(true);
  });

  signedSchemeCases({
    preset: presets['standard-webhooks'],
    sign,
    secret: SECRET,
    rotatedSecret: 'whsec_cm90YXRlZC1zZWNyZXQtcm90YXRlZC1zZWNyZXQ=',
    body: '{"type":"lead.created","data":{"email":"ada@example.com"}}',
    tamperedBody: '{"type":"lead.created","data":{"email":"eve@example.com"}}',
    requiredHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    wrongSecret: 'whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZw==',
    encoding: 'base64',
    toleranceSeconds: 300,
    deliveryId: ID,
  });
});
