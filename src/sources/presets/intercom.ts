/**
 * Intercom: `X-Hub-Signature: sha1=<hex>`, HMAC-SHA1 of the raw body with the app's client secret.
 * SHA-1 is weak for collisions but still sound as an HMAC; it is what Intercom sends.
 */
import { genericHmac } from '../../verify/generic-hmac';
import type { Preset } from '../types';
import { textAt } from './payload';

export const intercomPreset = (): Preset => ({
  name: 'intercom',
  verifier: genericHmac({
    header: 'x-hub-signature',
    algorithm: 'SHA-1',
    encoding: 'hex',
    prefix: 'sha1=',
    signed: 'body',
  }),
  // The notification id (`notif_...`) is kept across Intercom's retries.
  idempotencyKey: (_request, payload) => textAt(payload, 'id'),
});
