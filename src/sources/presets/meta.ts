/**
 * Meta Graph API webhooks (Lead Ads, Facebook, Instagram): `X-Hub-Signature-256: sha256=<hex>`,
 * HMAC-SHA256 of the raw body (unicode escaped as sent) with the app secret. Subscribing starts with
 * an unsigned GET carrying `hub.mode=subscribe`, `hub.verify_token` and `hub.challenge`, answered
 * before verification: the challenge is echoed only when the verify token matches the source's.
 */
import { constantTimeEqual } from '../../verify/crypto';
import { genericHmac } from '../../verify/generic-hmac';
import type { Preset } from '../types';
import { isPlainChallenge, TEXT_PLAIN } from './handshake';
import { batchKey, textAt, valueAt } from './payload';

/** `leadgen_id` of every Lead Ads change in the payload; empty when any change is of another kind. */
function leadgenIds(payload: unknown): (string | undefined)[] {
  const entries = valueAt(payload, 'entry');
  if (!Array.isArray(entries)) return [];
  const ids: (string | undefined)[] = [];
  for (const entry of entries) {
    const changes = valueAt(entry, 'changes');
    if (!Array.isArray(changes)) return [];
    for (const change of changes) {
      if (textAt(change, 'field') !== 'leadgen') return [];
      ids.push(textAt(change, 'value', 'leadgen_id'));
    }
  }
  return ids;
}

export const metaPreset = (): Preset => ({
  name: 'meta',
  verifier: genericHmac({
    header: 'x-hub-signature-256',
    algorithm: 'SHA-256',
    encoding: 'hex',
    prefix: 'sha256=',
    signed: 'body',
  }),
  async challenge(request, verifyToken) {
    // Meta sends events as POSTs; a GET is only ever the subscription handshake.
    if (request.method !== 'GET') return undefined;
    if (!URL.canParse(request.url)) return null;
    const params = new URL(request.url).searchParams;
    const challenge = params.get('hub.challenge') ?? undefined;
    if (params.get('hub.mode') !== 'subscribe' || !verifyToken || !isPlainChallenge(challenge)) return null;
    const matches = await constantTimeEqual(params.get('hub.verify_token') ?? '', verifyToken);
    return matches ? { status: 200, contentType: TEXT_PLAIN, body: challenge } : null;
  },
  // Lead Ads: the lead's id (fetched later from the Graph API) is the same on every retry.
  idempotencyKey: (_request, payload) => batchKey(leadgenIds(payload)),
});
