/**
 * Calendly: `Calendly-Webhook-Signature: t=<seconds>,v1=<hex>`, HMAC-SHA256 over `${t}.${body}` with
 * the webhook signing key. Calendly sends no event id: the resource URI (the invitee, or the routing
 * form submission) and the event name together identify an event.
 */
import { signatureHeaderHmac } from '../../verify/signature-header';
import type { Preset } from '../types';
import { joinKey, textAt } from './payload';

export interface CalendlyPresetOptions {
  /** Seconds, both directions; 180 by default, the window Calendly's guide uses. */
  toleranceSeconds?: number;
}

export const calendlyPreset = (options: CalendlyPresetOptions = {}): Preset => ({
  name: 'calendly',
  verifier: signatureHeaderHmac({
    scheme: 'calendly',
    header: 'calendly-webhook-signature',
    separator: ',',
    timestampKey: 't',
    signatureKey: 'v1',
    joiner: '.',
    toleranceSeconds: options.toleranceSeconds ?? 180,
  }),
  idempotencyKey: (_request, payload) => joinKey(textAt(payload, 'event'), textAt(payload, 'payload', 'uri')),
});
