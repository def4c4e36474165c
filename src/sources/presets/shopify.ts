/**
 * Shopify: `X-Shopify-Hmac-Sha256`, base64 HMAC-SHA256 of the raw body with the app's client
 * secret. Shopify keeps signing with the old secret for up to an hour after a rotation, so list
 * both. `X-Shopify-Webhook-Id` identifies the delivery; `X-Shopify-Event-Id` is the same for every
 * webhook one event causes, which is what makes it the idempotency key.
 */
import { genericHmac } from '../../verify/generic-hmac';
import type { Preset } from '../types';

export const shopifyPreset = (): Preset => ({
  name: 'shopify',
  verifier: genericHmac({
    header: 'x-shopify-hmac-sha256',
    algorithm: 'SHA-256',
    encoding: 'base64',
    signed: 'body',
    idHeader: 'x-shopify-webhook-id',
  }),
  idempotencyKey: (request) => request.headers.get('x-shopify-event-id')?.trim() || undefined,
});
