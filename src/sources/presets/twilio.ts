/**
 * Twilio: `X-Twilio-Signature`, base64 HMAC-SHA1 with the account's auth token over the full URL
 * followed by the POST parameters sorted by name. Form bodies are signed through their parameters;
 * JSON bodies instead carry `bodySHA256=<hex>` in the (signed) URL, and the body must hash to it.
 * Like Twilio's SDK, the URL is tried with and without its default port. A secondary auth token
 * listed beside the primary one verifies during a rotation.
 */
import { constantTimeEqual, fromBase64, hmacMatchesAny, sha256Hex, utf8 } from '../../verify/crypto';
import { formParams, formSignedContent, isFormBody, portVariants } from '../../verify/form-signature';
import type { Verifier } from '../../verify/types';
import type { Preset } from '../types';
import { joinKey, textAt } from './payload';

const verifier: Verifier = {
  scheme: 'twilio',
  async verify(request, context) {
    const header = request.headers.get('x-twilio-signature')?.trim();
    if (!header) return { ok: false, reason: 'missing_header' };
    const signature = fromBase64(header);
    if (signature?.byteLength !== 20) return { ok: false, reason: 'malformed_signature' };
    const secrets = context.secrets.filter((s) => s.length > 0).map(utf8);
    if (secrets.length === 0) return { ok: false, reason: 'no_secret_configured' };

    const bodyHash = URL.canParse(request.url) ? new URL(request.url).searchParams.get('bodySHA256') : null;
    let params = new URLSearchParams();
    if (bodyHash !== null) {
      if (!(await constantTimeEqual(await sha256Hex(request.body), bodyHash.toLowerCase()))) {
        return { ok: false, reason: 'no_matching_signature' };
      }
    } else {
      // Only form parameters are signed: any other body would pass unsigned.
      if (!isFormBody(request)) return { ok: false, reason: 'malformed_signature' };
      params = formParams(request.body);
    }
    for (const url of portVariants(request.url)) {
      if (await hmacMatchesAny('SHA-1', secrets, utf8(formSignedContent(url, params)), [signature])) {
        const token = request.headers.get('i-twilio-idempotency-token')?.trim();
        return token ? { ok: true, deliveryId: token } : { ok: true };
      }
    }
    return { ok: false, reason: 'no_matching_signature' };
  },
};

export const twilioPreset = (): Preset => ({
  name: 'twilio',
  verifier,
  // A message's or call's sid, with its status: each status callback for one sid is its own event.
  idempotencyKey(request) {
    if (!isFormBody(request)) return undefined;
    const params = Object.fromEntries(formParams(request.body));
    const sid = textAt(params, 'MessageSid') ?? textAt(params, 'CallSid');
    const status =
      textAt(params, 'MessageStatus') ?? textAt(params, 'SmsStatus') ?? textAt(params, 'CallStatus');
    return status ? joinKey(sid, status) : sid;
  },
});
