/**
 * Stripe: `Stripe-Signature: t=<seconds>,v1=<hex>[,v1=<hex>]`, HMAC-SHA256 over `${t}.${body}`. The
 * secret is the whole `whsec_...` string used as UTF-8 bytes (unlike Svix, it is not base64-decoded).
 * Several `v1` entries arrive while Stripe rolls an endpoint secret.
 */
import { signatureHeaderHmac } from '../../verify/signature-header';
import type { Preset } from '../types';
import { textAt } from './payload';

export interface StripePresetOptions {
  /** Seconds, both directions; 300 by default, as Stripe's SDKs use. */
  toleranceSeconds?: number;
}

export const stripePreset = (options: StripePresetOptions = {}): Preset => ({
  name: 'stripe',
  verifier: signatureHeaderHmac({
    scheme: 'stripe',
    header: 'stripe-signature',
    separator: ',',
    timestampKey: 't',
    signatureKey: 'v1',
    joiner: '.',
    toleranceSeconds: options.toleranceSeconds ?? 300,
  }),
  // The event id (`evt_...`) is the same on every retry of an event; Stripe sends no delivery header.
  idempotencyKey: (_request, payload) => textAt(payload, 'id'),
});
