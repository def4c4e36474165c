/**
 * Webflow: `x-webflow-signature` (hex HMAC-SHA256) over `${timestamp}:${body}`, where
 * `x-webflow-timestamp` is in milliseconds. The secret is the OAuth app's client secret, or the
 * webhook's own secret for webhooks created with a site token.
 */
import { genericHmac } from '../../verify/generic-hmac';
import type { Preset } from '../types';
import { joinKey, textAt } from './payload';

export interface WebflowPresetOptions {
  /** Seconds, both directions; 300 by default, as Webflow's guide uses. */
  toleranceSeconds?: number;
}

export const webflowPreset = (options: WebflowPresetOptions = {}): Preset => ({
  name: 'webflow',
  verifier: genericHmac({
    header: 'x-webflow-signature',
    algorithm: 'SHA-256',
    encoding: 'hex',
    signed: { template: '{timestamp}:{body}' },
    timestampHeader: 'x-webflow-timestamp',
    timestampUnit: 'ms',
    toleranceSeconds: options.toleranceSeconds ?? 300,
  }),
  // A form submission's id is `payload.id` (v2; the trigger type keeps ids of other kinds apart),
  // or `_id` in the older shape.
  idempotencyKey: (_request, payload) =>
    joinKey(textAt(payload, 'triggerType'), textAt(payload, 'payload', 'id')) ?? textAt(payload, '_id'),
});
