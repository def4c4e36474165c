/**
 * Standard Webhooks (https://www.standardwebhooks.com), which Svix, Make's event subscriptions and
 * Inlet's own outbound deliveries use (signed in src/destinations/webhook.ts): HMAC-SHA256 over `${id}.${timestamp}.${body}`, base64, in
 * space-separated `v1,<signature>` entries so a sender can sign with several keys during a rotation.
 */
import { type Bytes, concatBytes, fromBase64, hmacMatchesAny, utf8, withinTolerance } from './crypto';
import type { InboundRequest, Verifier, VerifyContext, VerifyResult } from './types';

export interface StandardWebhooksOptions {
  /** `webhook` for Standard Webhooks, `svix` for Svix: headers are `${prefix}-id` and so on. */
  headerPrefix?: string;
  toleranceSeconds?: number;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** `whsec_<base64>` (or bare base64) to key bytes, as the reference libraries decode it. */
export function decodeWebhookSecret(secret: string): Bytes | undefined {
  return fromBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
}

/** What a Standard Webhooks signature covers; the outbound signer (src/destinations/webhook.ts) signs the same. */
export function signedContent(id: string, timestamp: string, body: Bytes): Bytes {
  return concatBytes(utf8(`${id}.${timestamp}.`), body);
}

export const standardWebhooks = (options: StandardWebhooksOptions = {}): Verifier => {
  const prefix = options.headerPrefix ?? 'webhook';
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  return {
    scheme: prefix === 'webhook' ? 'standard-webhooks' : prefix,
    async verify(request: InboundRequest, context: VerifyContext): Promise<VerifyResult> {
      const id = request.headers.get(`${prefix}-id`);
      const timestamp = request.headers.get(`${prefix}-timestamp`);
      const header = request.headers.get(`${prefix}-signature`);
      if (!id || !timestamp || !header) return { ok: false, reason: 'missing_header' };
      if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed_signature' };
      if (!withinTolerance(Number(timestamp) * 1000, context.nowMs, tolerance)) {
        return { ok: false, reason: 'timestamp_out_of_tolerance' };
      }
      const signatures: Bytes[] = [];
      for (const entry of header.split(' ')) {
        const [version, value] = entry.split(',', 2);
        if (version !== 'v1' || !value) continue;
        const bytes = fromBase64(value);
        if (bytes?.byteLength === 32) signatures.push(bytes);
      }
      if (signatures.length === 0) return { ok: false, reason: 'malformed_signature' };
      const secrets = context.secrets.map(decodeWebhookSecret).filter((s): s is Bytes => !!s?.byteLength);
      if (secrets.length === 0) return { ok: false, reason: 'no_secret_configured' };
      const matched = await hmacMatchesAny(
        'SHA-256',
        secrets,
        signedContent(id, timestamp, request.body),
        signatures,
      );
      return matched ? { ok: true, deliveryId: id } : { ok: false, reason: 'no_matching_signature' };
    },
  };
};
