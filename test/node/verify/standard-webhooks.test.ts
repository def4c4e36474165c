import { Webhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { signStandardWebhook } from '../../../src/destinations/webhook';
import { utf8 } from '../../../src/verify/crypto';
import { standardWebhooks } from '../../../src/verify/standard-webhooks';
import type { InboundRequest } from '../../../src/verify/types';

// Official vector from the Standard Webhooks specification.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TS = 1614265330;
const BODY = '{"test": 2432232314}';
const EXPECTED = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const request = (headers: Record<string, string>, body = BODY): InboundRequest => ({
  method: 'POST',
  url: 'https://inlet.example/in/demo',
  headers: new Headers(headers),
  body: utf8(body),
});
const verifier = standardWebhooks();
const at = (seconds: number) => ({ secrets: [SECRET], nowMs: seconds * 1000 });

describe('standard webhooks', () => {
  it('matches the official test vector', async () => {
    const headers = await signStandardWebhook(SECRET, ID, TS, utf8(BODY));
    expect(headers['webhook-signature']).toBe(EXPECTED);
    expect(await verifier.verify(request(headers), at(TS))).toEqual({ ok: true, deliveryId: ID });
  });

  it('verifies what the standardwebhooks library signs, and the library verifies what we sign', async () => {
    const signature = new Webhook(SECRET).sign(ID, new Date(TS * 1000), BODY);
    const headers = { 'webhook-id': ID, 'webhook-timestamp': String(TS), 'webhook-signature': signature };
    expect((await verifier.verify(request(headers), at(TS))).ok).toBe(true);
    const ours = await signStandardWebhook(SECRET, ID, Math.floor(Date.now() / 1000), utf8(BODY));
    expect(() => new Webhook(SECRET).verify(BODY, ours)).not.toThrow();
  });

  it("Inlet's outbound delivery signature verifies with Svix's library too, and a tampered one does not", async () => {
    const ours = await signStandardWebhook(SECRET, ID, Math.floor(Date.now() / 1000), utf8(BODY));
    expect(() => new SvixWebhook(SECRET).verify(BODY, ours)).not.toThrow();
    expect(() => new SvixWebhook(SECRET).verify(`${BODY} `, ours)).toThrow();
  });

  it.each([
    ['missing header', { 'webhook-id': ID, 'webhook-timestamp': String(TS) }, BODY, TS, 'missing_header'],
    [
      'tampered body',
      { 'webhook-id': ID, 'webhook-timestamp': String(TS), 'webhook-signature': EXPECTED },
      '{"test": 1}',
      TS,
      'no_matching_signature',
    ],
    [
      'truncated signature',
      { 'webhook-id': ID, 'webhook-timestamp': String(TS), 'webhook-signature': EXPECTED.slice(0, 20) },
      BODY,
      TS,
      'malformed_signature',
    ],
    [
      'timestamp too old',
      { 'webhook-id': ID, 'webhook-timestamp': String(TS), 'webhook-signature': EXPECTED },
      BODY,
      TS + 301,
      'timestamp_out_of_tolerance',
    ],
    [
      'timestamp in the future',
      { 'webhook-id': ID, 'webhook-timestamp': String(TS), 'webhook-signature': EXPECTED },
      BODY,
      TS - 301,
      'timestamp_out_of_tolerance',
    ],
  ] as const)('rejects a %s', async (_name, headers, body, now, reason) => {
    expect(await verifier.verify(request(headers, body), at(now))).toEqual({ ok: false, reason });
  });

  it('rejects a wrong secret and accepts a rotated one', async () => {
    const headers = { 'webhook-id': ID, 'webhook-timestamp': String(TS), 'webhook-signature': EXPECTED };
    const other = 'whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==';
    expect(await verifier.verify(request(headers), { secrets: [other], nowMs: TS * 1000 })).toEqual({
      ok: false,
      reason: 'no_matching_signature',
    });
    expect((await verifier.verify(request(headers), { secrets: [other, SECRET], nowMs: TS * 1000 })).ok).toBe(
      true,
    );
  });
});
