/**
 * Typeform: `Typeform-Signature: sha256=<base64>` (base64, not hex), HMAC-SHA256 of the raw body
 * with the secret set on the webhook. No timestamp: replays are caught by the event id.
 */
import { genericHmac } from '../../verify/generic-hmac';
import type { Preset } from '../types';
import { textAt } from './payload';

export const typeformPreset = (): Preset => ({
  name: 'typeform',
  verifier: genericHmac({
    header: 'typeform-signature',
    algorithm: 'SHA-256',
    encoding: 'base64',
    prefix: 'sha256=',
    signed: 'body',
  }),
  idempotencyKey: (_request, payload) =>
    textAt(payload, 'event_id') ?? textAt(payload, 'form_response', 'token'),
});
