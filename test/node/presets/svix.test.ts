import { Webhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { inbound, NOW_MS, seconds, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ROTATED = 'whsec_cm90YXRlZC1zZWNyZXQtcm90YXRlZC1zZWNyZXQ=';
const ID = 'msg_2xKj0vRk3bTnN7pQ';
const BODY = '{"type":"contact.created","data":{"email":"ada@example.com"}}';

const headersFor = (
  prefix: string,
  secret: string,
  timestampMs: number,
  body = BODY,
  mangle = (s: string) => s,
) => {
  const signature = new Webhook(secret).sign(ID, new Date(timestampMs), body);
  return {
    [`${prefix}-id`]: ID,
    [`${prefix}-timestamp`]: String(seconds(timestampMs)),
    [`${prefix}-signature`]: `v1,${mangle(signature.slice(3))}`,
  };
};

describe('svix preset', () => {
  it('accepts the unbranded webhook- headers, as the svix library does', async () => {
    const request = inbound({ headers: headersFor('webhook', SECRET, NOW_MS), body: BODY });
    expect(await verify(presets.svix, request, [SECRET])).toEqual({ ok: true, deliveryId: ID });
  });

  it('signs what the svix library verifies', async () => {
    const headers = headersFor('svix', SECRET, Date.now());
    expect(() => new Webhook(SECRET).verify(BODY, headers)).not.toThrow();
  });

  signedSchemeCases({
    preset: presets.svix,
    sign: async ({ secret, body, timestampMs, mangle }: SignInput) =>
      inbound({ headers: headersFor('svix', secret, timestampMs, body, mangle), body }),
    secret: SECRET,
    rotatedSecret: ROTATED,
    body: BODY,
    tamperedBody: BODY.replace('ada@', 'eve@'),
    requiredHeaders: ['svix-id', 'svix-timestamp', 'svix-signature'],
    wrongSecret: 'whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZw==',
    encoding: 'base64',
    toleranceSeconds: 300,
    deliveryId: ID,
  });
});
