/**
 * Tally: `Tally-Signature`, base64 HMAC-SHA256 of the raw body with the signing secret set on the
 * webhook. No timestamp: replays are caught by the event id.
 */
import { genericHmac } from '../../verify/generic-hmac';
import type { Preset } from '../types';
import { textAt } from './payload';

export const tallyPreset = (): Preset => ({
  name: 'tally',
  verifier: genericHmac({
    header: 'tally-signature',
    algorithm: 'SHA-256',
    encoding: 'base64',
    signed: 'body',
  }),
  idempotencyKey: (_request, payload) => textAt(payload, 'eventId') ?? textAt(payload, 'data', 'responseId'),
});
