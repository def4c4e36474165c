/**
 * Svix: Standard Webhooks under `svix-` headers, with a `whsec_<base64>` secret. Svix's own
 * libraries fall back to the unbranded `webhook-` headers, so this preset does too.
 */
import { DEFAULT_TOLERANCE_SECONDS, standardWebhooks } from '../../verify/standard-webhooks';
import type { Verifier } from '../../verify/types';
import type { Preset } from '../types';

export interface SvixPresetOptions {
  /** Seconds, both directions; 300 by default, as Svix's libraries use. */
  toleranceSeconds?: number;
}

export const svixPreset = (options: SvixPresetOptions = {}): Preset => {
  const toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const branded = standardWebhooks({ headerPrefix: 'svix', toleranceSeconds });
  const unbranded = standardWebhooks({ toleranceSeconds });
  const verifier: Verifier = {
    scheme: 'svix',
    verify: (request, context) =>
      request.headers.has('svix-id') || !request.headers.has('webhook-id')
        ? branded.verify(request, context)
        : unbranded.verify(request, context),
  };
  return { name: 'svix', verifier };
};
