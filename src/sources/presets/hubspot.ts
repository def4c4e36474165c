/**
 * HubSpot, all three signature versions, with the app's client secret:
 * - v3: `X-HubSpot-Signature-v3`, base64 HMAC-SHA256 over `${METHOD}${uri}${body}${timestamp}`,
 *   `X-HubSpot-Request-Timestamp` in milliseconds, 5 minutes.
 * - v2: `X-HubSpot-Signature` with `X-HubSpot-Signature-Version: v2`, hex SHA-256 (a plain hash, not
 *   an HMAC) of `${secret}${METHOD}${uri}${body}`.
 * - v1: the same header with version `v1`, hex SHA-256 of `${secret}${body}`.
 * HubSpot sends v3 alongside the older header; when v3 is present and accepted it is the only one
 * checked, since v1 and v2 sign no timestamp and so cannot refuse a replay.
 */
import {
  concatBytes,
  constantTimeEqual,
  fromBase64,
  hmacMatchesAny,
  sha256Hex,
  utf8,
  withinTolerance,
} from '../../verify/crypto';
import type { InboundRequest, Verifier, VerifyContext, VerifyResult } from '../../verify/types';
import type { Preset } from '../types';
import { batchKey, textAt } from './payload';

export type HubSpotSignatureVersion = 'v1' | 'v2' | 'v3';

export interface HubSpotPresetOptions {
  /** Versions accepted; all three by default. `['v3']` refuses the replayable legacy signatures. */
  versions?: readonly HubSpotSignatureVersion[];
  /** Seconds, both directions, for v3; 300 by default, as HubSpot's guide and SDK use. */
  toleranceSeconds?: number;
}

// HubSpot signs the URI with these characters decoded; a runtime may hand us either form.
const DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

function uriCandidates(url: string): string[] {
  const decoded = url.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (m) => DECODED[m.toUpperCase()] ?? m,
  );
  return decoded === url ? [url] : [url, decoded];
}

async function verifyV3(
  request: InboundRequest,
  context: VerifyContext,
  header: string,
  toleranceSeconds: number,
): Promise<VerifyResult> {
  const timestamp = request.headers.get('x-hubspot-request-timestamp')?.trim();
  if (!timestamp) return { ok: false, reason: 'missing_header' };
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'malformed_signature' };
  if (!withinTolerance(Number(timestamp), context.nowMs, toleranceSeconds)) {
    return { ok: false, reason: 'timestamp_out_of_tolerance' };
  }
  const signature = fromBase64(header);
  if (signature?.byteLength !== 32) return { ok: false, reason: 'malformed_signature' };
  const secrets = context.secrets.filter((s) => s.length > 0).map(utf8);
  if (secrets.length === 0) return { ok: false, reason: 'no_secret_configured' };
  for (const uri of uriCandidates(request.url)) {
    const signed = concatBytes(utf8(`${request.method.toUpperCase()}${uri}`), request.body, utf8(timestamp));
    if (await hmacMatchesAny('SHA-256', secrets, signed, [signature])) return { ok: true };
  }
  return { ok: false, reason: 'no_matching_signature' };
}

async function verifyLegacy(
  request: InboundRequest,
  context: VerifyContext,
  header: string,
  version: 'v1' | 'v2',
): Promise<VerifyResult> {
  if (!/^[0-9a-fA-F]{64}$/.test(header)) return { ok: false, reason: 'malformed_signature' };
  const secrets = context.secrets.filter((s) => s.length > 0);
  if (secrets.length === 0) return { ok: false, reason: 'no_secret_configured' };
  const received = header.toLowerCase();
  let matched = false;
  for (const secret of secrets) {
    const prefix = version === 'v1' ? secret : `${secret}${request.method.toUpperCase()}${request.url}`;
    const expected = await sha256Hex(concatBytes(utf8(prefix), request.body));
    if (await constantTimeEqual(expected, received)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: 'no_matching_signature' };
}

export const hubspotPreset = (options: HubSpotPresetOptions = {}): Preset => {
  const versions = new Set(options.versions ?? ['v1', 'v2', 'v3']);
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  const verifier: Verifier = {
    scheme: 'hubspot',
    async verify(request, context) {
      const v3 = request.headers.get('x-hubspot-signature-v3')?.trim();
      if (v3 && versions.has('v3')) return verifyV3(request, context, v3, toleranceSeconds);
      const legacy = request.headers.get('x-hubspot-signature')?.trim();
      const version = request.headers.get('x-hubspot-signature-version')?.trim().toLowerCase();
      if (legacy && (version === 'v1' || version === 'v2') && versions.has(version)) {
        return verifyLegacy(request, context, legacy, version);
      }
      return { ok: false, reason: 'missing_header' };
    },
  };
  return {
    name: 'hubspot',
    verifier,
    // Webhook API deliveries are batches of events, each with an `eventId` kept across retries.
    idempotencyKey(_request, payload) {
      if (Array.isArray(payload)) return batchKey(payload.map((event) => textAt(event, 'eventId')));
      return textAt(payload, 'eventId');
    },
  };
};
