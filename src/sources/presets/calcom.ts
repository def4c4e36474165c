/**
 * Cal.com: `X-Cal-Signature-256`, hex HMAC-SHA256 of the raw body, no prefix. A webhook saved
 * without a secret is sent with the literal header value `no-secret-provided`: refused outright, so
 * that such a request is never mistaken for a signature that merely failed to match.
 */
import { genericHmac } from '../../verify/generic-hmac';
import type { Verifier } from '../../verify/types';
import type { Preset } from '../types';
import { joinKey, textAt } from './payload';

const signed = genericHmac({
  header: 'x-cal-signature-256',
  algorithm: 'SHA-256',
  encoding: 'hex',
  signed: 'body',
});

const verifier: Verifier = {
  scheme: 'calcom',
  async verify(request, context) {
    if (request.headers.get('x-cal-signature-256')?.trim() === 'no-secret-provided') {
      return { ok: false, reason: 'malformed_signature' };
    }
    return signed.verify(request, context);
  },
};

export const calcomPreset = (): Preset => ({
  name: 'calcom',
  verifier,
  // A booking's uid with the trigger (created, rescheduled, cancelled...); form responses have their own id.
  idempotencyKey: (_request, payload) =>
    joinKey(
      textAt(payload, 'triggerEvent'),
      textAt(payload, 'payload', 'uid') ??
        textAt(payload, 'payload', 'bookingId') ??
        textAt(payload, 'payload', 'responseId'),
    ),
});
