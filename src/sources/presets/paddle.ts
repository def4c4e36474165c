/**
 * Paddle Billing: `Paddle-Signature: ts=<seconds>;h1=<hex>`, HMAC-SHA256 over `${ts}:${body}` (a
 * colon, unlike Stripe) with the notification destination's secret key (`pdl_ntfset_...`, UTF-8).
 * Paddle signs each attempt afresh, which is why its SDK can afford a 5-second window.
 */
import { signatureHeaderHmac } from '../../verify/signature-header';
import type { Preset } from '../types';
import { textAt } from './payload';

export interface PaddlePresetOptions {
  /** Seconds, both directions; 5 by default, as Paddle's SDKs use. */
  toleranceSeconds?: number;
}

export const paddlePreset = (options: PaddlePresetOptions = {}): Preset => ({
  name: 'paddle',
  verifier: signatureHeaderHmac({
    scheme: 'paddle',
    header: 'paddle-signature',
    separator: ';',
    timestampKey: 'ts',
    signatureKey: 'h1',
    joiner: ':',
    toleranceSeconds: options.toleranceSeconds ?? 5,
  }),
  // `event_id` stays the same across retries and destinations; `notification_id` is per destination.
  idempotencyKey: (_request, payload) => textAt(payload, 'event_id'),
});
