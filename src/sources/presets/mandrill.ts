/**
 * Mandrill (Mailchimp Transactional): `X-Mandrill-Signature`, base64 HMAC-SHA1 with the webhook's
 * key over the webhook URL exactly as entered in Mandrill, followed by the POST parameters sorted by
 * name (in practice the one `mandrill_events` parameter, a JSON array).
 */
import { fromBase64, hmacMatchesAny, utf8 } from '../../verify/crypto';
import { formParams, formSignedContent, isFormBody } from '../../verify/form-signature';
import type { InboundRequest, Verifier } from '../../verify/types';
import type { Preset } from '../types';
import { batchKey, joinKey, textAt } from './payload';

export interface MandrillPresetOptions {
  /**
   * The webhook URL as entered in Mandrill, when it differs from the URL the Worker sees (a proxy,
   * a trailing slash): Mandrill signs the URL it was given, not the one it reached.
   */
  webhookUrl?: string;
}

function mandrillEvents(request: InboundRequest): unknown[] | undefined {
  if (!isFormBody(request)) return undefined;
  const raw = formParams(request.body).get('mandrill_events');
  if (raw === null) return undefined;
  try {
    const events: unknown = JSON.parse(raw);
    return Array.isArray(events) ? events : undefined;
  } catch {
    return undefined;
  }
}

export const mandrillPreset = (options: MandrillPresetOptions = {}): Preset => {
  const verifier: Verifier = {
    scheme: 'mandrill',
    async verify(request, context) {
      const header = request.headers.get('x-mandrill-signature')?.trim();
      if (!header) return { ok: false, reason: 'missing_header' };
      const signature = fromBase64(header);
      if (signature?.byteLength !== 20) return { ok: false, reason: 'malformed_signature' };
      if (!isFormBody(request)) return { ok: false, reason: 'malformed_signature' };
      const secrets = context.secrets.filter((s) => s.length > 0).map(utf8);
      if (secrets.length === 0) return { ok: false, reason: 'no_secret_configured' };
      const signed = utf8(formSignedContent(options.webhookUrl ?? request.url, formParams(request.body)));
      return (await hmacMatchesAny('SHA-1', secrets, signed, [signature]))
        ? { ok: true }
        : { ok: false, reason: 'no_matching_signature' };
    },
  };
  return {
    name: 'mandrill',
    verifier,
    // Saving a webhook sends a HEAD, then (if that fails) a POST with no events signed with a test
    // key: both carry nothing to store, so both are answered before verification.
    async challenge(request) {
      if (request.method === 'HEAD')
        return { status: 200, contentType: 'text/plain; charset=utf-8', body: '' };
      if (request.method === 'POST' && mandrillEvents(request)?.length === 0) {
        return { status: 200, contentType: 'text/plain; charset=utf-8', body: '' };
      }
      return undefined;
    },
    // `_id` is the message's id, shared by its send, open and click events: the event and time tell them apart.
    idempotencyKey(request) {
      const events = mandrillEvents(request);
      if (!events) return undefined;
      return batchKey(events.map((e) => joinKey(textAt(e, 'event'), textAt(e, '_id'), textAt(e, 'ts'))));
    },
  };
};
