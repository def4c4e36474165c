import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { hmacHex, inbound, NOW_MS, seconds } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

// No signing helper from Zoom: per zoom/webhook-sample, `v0=` + hex HMAC-SHA256 of `v0:ts:body`.
const SECRET = 'zoom-secret-token-0123456789';
const TRACKING_ID = 'v=2.0;clid=aw1;rid=WEB_ab12cd34';
const BODY = JSON.stringify({
  event: 'meeting.registration_created',
  event_ts: 1768478399000,
  payload: { account_id: 'AAAAAAAAAA', object: { id: 85746065432, uuid: 'iZ1fx7BaTMGRhMqpVNpDrA==' } },
});

const sign = async ({ secret, body, timestampMs, mangle = (s) => s }: SignInput) => {
  const ts = seconds(timestampMs);
  const signature = mangle(await hmacHex('SHA-256', secret, `v0:${ts}:`, body));
  return inbound({
    headers: {
      'x-zm-signature': `v0=${signature}`,
      'x-zm-request-timestamp': String(ts),
      'x-zm-trackingid': TRACKING_ID,
    },
    body,
  });
};

describe('zoom preset', () => {
  signedSchemeCases({
    preset: presets.zoom,
    sign,
    secret: SECRET,
    rotatedSecret: 'zoom-secret-token-rotated-987',
    body: BODY,
    tamperedBody: BODY.replace('85746065432', '85746065433'),
    requiredHeaders: ['x-zm-signature', 'x-zm-request-timestamp'],
    encoding: 'hex',
    toleranceSeconds: 300,
    deliveryId: TRACKING_ID,
  });

  it('answers endpoint.url_validation with the plain token and its HMAC under the secret', async () => {
    const plainToken = 'qgg8vlvZRS6UYooatFL8Aw';
    const payload = { event: 'endpoint.url_validation', payload: { plainToken }, event_ts: 1654503849680 };
    const reply = await presets.zoom.handshake?.(payload, {
      secrets: [SECRET, 'older-secret'],
      nowMs: NOW_MS,
    });
    expect(reply?.status).toBe(200);
    expect(reply?.contentType).toBe('application/json');
    expect(JSON.parse(reply?.body ?? '{}')).toEqual({
      plainToken,
      // Computed the way zoom/webhook-sample does, with Node's crypto.
      encryptedToken: createHmac('sha256', SECRET).update(plainToken).digest('hex'),
    });
  });

  it('leaves events other than url validation to the pipeline', async () => {
    expect(
      await presets.zoom.handshake?.(JSON.parse(BODY), { secrets: [SECRET], nowMs: NOW_MS }),
    ).toBeUndefined();
  });

  it('keys on the event, its time and its object', () => {
    expect(presets.zoom.idempotencyKey?.(inbound({}), JSON.parse(BODY))).toBe(
      'meeting.registration_created:1768478399000:iZ1fx7BaTMGRhMqpVNpDrA==',
    );
  });
});
