import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { hmacBase64, hmacHex, inbound, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

// Shopify's app library needs a full app config; signed per its docs: base64 HMAC-SHA256 of the body.
const SECRET = 'shpss_0123456789abcdef0123456789abcdef';
const WEBHOOK_ID = 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043';
const EVENT_ID = '98880550-7158-44d4-b7cd-2c97c8a091b5';
const BODY = JSON.stringify({ id: 820982911946154500, email: 'ada@example.com', total_price: '19.99' });

const sign = async ({ secret, body, mangle = (s) => s }: SignInput) =>
  inbound({
    headers: {
      'x-shopify-hmac-sha256': mangle(await hmacBase64('SHA-256', secret, body)),
      'x-shopify-webhook-id': WEBHOOK_ID,
      'x-shopify-event-id': EVENT_ID,
      'x-shopify-topic': 'orders/create',
    },
    body,
  });

describe('shopify preset', () => {
  signedSchemeCases({
    preset: presets.shopify,
    sign,
    secret: SECRET,
    rotatedSecret: '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',
    body: BODY,
    tamperedBody: BODY.replace('19.99', '0.01'),
    requiredHeaders: ['x-shopify-hmac-sha256'],
    encoding: 'base64',
    deliveryId: WEBHOOK_ID,
  });

  it('refuses a hex signature where Shopify sends base64', async () => {
    const request = inbound({
      headers: { 'x-shopify-hmac-sha256': await hmacHex('SHA-256', SECRET, BODY) },
      body: BODY,
    });
    expect(await verify(presets.shopify, request, [SECRET])).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it('keys on the event id, shared by every webhook one event causes', async () => {
    const request = await sign({ secret: SECRET, body: BODY, timestampMs: 0 });
    expect(presets.shopify.idempotencyKey?.(request, JSON.parse(BODY))).toBe(EVENT_ID);
    expect(presets.shopify.idempotencyKey?.(inbound({}), JSON.parse(BODY))).toBeUndefined();
  });
});
