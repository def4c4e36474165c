/**
 * Zoom: `x-zm-signature: v0=<hex>`, HMAC-SHA256 over `v0:${timestamp}:${body}` with the app's
 * secret token, `x-zm-request-timestamp` in seconds. Zoom validates the endpoint (when it is saved,
 * then every 72 hours) with a signed `endpoint.url_validation` event, answered after verification
 * with the plain token and its HMAC under the same secret.
 */
import { hmac, toHex, utf8 } from '../../verify/crypto';
import { genericHmac } from '../../verify/generic-hmac';
import type { Preset } from '../types';
import { isPlainChallenge } from './handshake';
import { joinKey, textAt } from './payload';

export interface ZoomPresetOptions {
  /** Seconds, both directions; Zoom documents none, so 300 by default. */
  toleranceSeconds?: number;
}

export const zoomPreset = (options: ZoomPresetOptions = {}): Preset => ({
  name: 'zoom',
  verifier: genericHmac({
    header: 'x-zm-signature',
    algorithm: 'SHA-256',
    encoding: 'hex',
    prefix: 'v0=',
    signed: { template: 'v0:{timestamp}:{body}' },
    timestampHeader: 'x-zm-request-timestamp',
    toleranceSeconds: options.toleranceSeconds ?? 300,
    idHeader: 'x-zm-trackingid',
  }),
  async handshake(payload, context) {
    if (textAt(payload, 'event') !== 'endpoint.url_validation') return undefined;
    const plainToken = textAt(payload, 'payload', 'plainToken');
    // Zoom holds one secret token: during a rotation the first listed is the one it now uses.
    const secret = context.secrets.find((s) => s.length > 0);
    if (!isPlainChallenge(plainToken) || !secret) return undefined;
    const encryptedToken = toHex(await hmac('SHA-256', utf8(secret), utf8(plainToken)));
    return {
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ plainToken, encryptedToken }),
    };
  },
  // Zoom sends no event id: the event, its time and the object it is about identify it.
  idempotencyKey: (_request, payload) =>
    joinKey(
      textAt(payload, 'event'),
      textAt(payload, 'event_ts'),
      textAt(payload, 'payload', 'object', 'uuid') ?? textAt(payload, 'payload', 'object', 'id'),
    ),
});
