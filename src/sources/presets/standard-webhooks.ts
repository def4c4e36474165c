/**
 * Standard Webhooks: Make's event subscriptions, Inlet's own outbound deliveries, and any sender
 * built on the spec. The `webhook-id` header is the delivery id, returned by the verifier.
 */
import { DEFAULT_TOLERANCE_SECONDS, standardWebhooks } from '../../verify/standard-webhooks';
import type { Preset } from '../types';

export interface StandardWebhooksPresetOptions {
  /** Seconds, both directions; 300 by default, as the spec says. */
  toleranceSeconds?: number;
}

export const standardWebhooksPreset = (options: StandardWebhooksPresetOptions = {}): Preset => ({
  name: 'standard-webhooks',
  verifier: standardWebhooks({ toleranceSeconds: options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS }),
});
