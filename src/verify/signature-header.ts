/**
 * One header carrying a timestamp and one or more signatures as `key=value` pairs: Stripe and
 * Calendly (`t=..,v1=..`) and Paddle Billing (`ts=..;h1=..`). The signed content is the timestamp,
 * a joiner and the raw body; HMAC-SHA256, hex. Several signature entries let a sender sign with the
 * old and the new secret while it rolls them, so any one matching is enough.
 */
import { type Bytes, concatBytes, fromHex, hmacMatchesAny, utf8, withinTolerance } from './crypto';
import type { InboundRequest, Verifier, VerifyContext, VerifyResult } from './types';

export interface SignatureHeaderOptions {
  /** Scheme name for logs, e.g. `stripe`. */
  scheme: string;
  header: string;
  /** Between pairs: `,` for Stripe and Calendly, `;` for Paddle. */
  separator: string;
  /** Key of the timestamp pair: `t` (Stripe, Calendly) or `ts` (Paddle). */
  timestampKey: string;
  /** Key of the signature pairs: `v1` (Stripe, Calendly) or `h1` (Paddle); other schemes are ignored. */
  signatureKey: string;
  /** Between the timestamp and the body in the signed content: `.` (Stripe, Calendly) or `:` (Paddle). */
  joiner: string;
  /** Seconds, checked in both directions. */
  toleranceSeconds: number;
}

export interface ParsedSignatureHeader {
  timestamp?: string;
  signatures: string[];
  /** True when the timestamp key appears more than once: which one was signed is then ambiguous. */
  ambiguous: boolean;
}

export function parseSignatureHeader(
  header: string,
  options: Pick<SignatureHeaderOptions, 'separator' | 'timestampKey' | 'signatureKey'>,
): ParsedSignatureHeader {
  const parsed: ParsedSignatureHeader = { signatures: [], ambiguous: false };
  for (const pair of header.split(options.separator)) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    const key = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (key === options.timestampKey) {
      if (parsed.timestamp !== undefined) parsed.ambiguous = true;
      parsed.timestamp = value;
    } else if (key === options.signatureKey && value) {
      parsed.signatures.push(value);
    }
  }
  return parsed;
}

export const signatureHeaderHmac = (options: SignatureHeaderOptions): Verifier => ({
  scheme: options.scheme,
  async verify(request: InboundRequest, context: VerifyContext): Promise<VerifyResult> {
    const header = request.headers.get(options.header);
    if (!header) return { ok: false, reason: 'missing_header' };
    const { timestamp, signatures: encoded, ambiguous } = parseSignatureHeader(header, options);
    if (ambiguous || !timestamp || !/^\d{1,12}$/.test(timestamp)) {
      return { ok: false, reason: 'malformed_signature' };
    }
    if (!withinTolerance(Number(timestamp) * 1000, context.nowMs, options.toleranceSeconds)) {
      return { ok: false, reason: 'timestamp_out_of_tolerance' };
    }
    const signatures = encoded.map(fromHex).filter((s): s is Bytes => s?.byteLength === 32);
    if (signatures.length === 0) return { ok: false, reason: 'malformed_signature' };
    const secrets = context.secrets.filter((s) => s.length > 0).map(utf8);
    if (secrets.length === 0) return { ok: false, reason: 'no_secret_configured' };
    const signed = concatBytes(utf8(`${timestamp}${options.joiner}`), request.body);
    const matched = await hmacMatchesAny('SHA-256', secrets, signed, signatures);
    return matched ? { ok: true } : { ok: false, reason: 'no_matching_signature' };
  },
});
