/**
 * A generic HMAC scheme, configured per source, for senders that sign in their own way: n8n's
 * Crypto node, Make's `sha256(text; "hex"; key)`, or any in-house tool. Inlet's default
 * configuration (`INLET_HMAC`) is HMAC-SHA256, hex, over `${timestamp}.${body}` with a UTF-8 secret
 * and 300 s tolerance: the simplest thing both n8n and Make can produce.
 */
import {
  type Bytes,
  concatBytes,
  fromBase64,
  fromHex,
  type HashAlgorithm,
  hmacMatchesAny,
  toHex,
  utf8,
  withinTolerance,
} from './crypto';
import type { InboundRequest, Verifier, VerifyContext, VerifyResult } from './types';

export interface GenericHmacOptions {
  /** Header carrying the signature. */
  header: string;
  algorithm: HashAlgorithm;
  encoding: 'hex' | 'base64';
  /** Text before the signature in the header, e.g. `sha256=`; optional in what is received. */
  prefix?: string;
  /**
   * What is signed: the body alone, `${timestamp}.${body}`, `${id}.${timestamp}.${body}`, or a
   * template with `{body}`, `{timestamp}`, `{id}`, `{method}` and `{url}` placeholders.
   */
  signed: 'body' | 'timestamp.body' | 'id.timestamp.body' | { template: string };
  /** Read only when the timestamp is signed: an unsigned timestamp could be changed at will. */
  timestampHeader?: string;
  /** Unit of the timestamp header: seconds (default) or milliseconds. */
  timestampUnit?: 's' | 'ms';
  toleranceSeconds?: number;
  /** Header with the sender's delivery id: signed under `id.timestamp.body`, and the idempotency key. */
  idHeader?: string;
  /**
   * A newer version of the scheme, told apart by the signature's prefix (`v2=`), that signs more
   * (the delivery id). Both are accepted unless `required`, so existing senders keep working.
   */
  upgrade?: { prefix: string; signed: GenericHmacOptions['signed']; required?: boolean };
  /**
   * When the delivery id is not signed, an attacker who captured a request can replay it under a
   * fresh id: the signature itself then identifies the request, for this long (seconds; with a
   * signed timestamp, twice the tolerance is enough). 72 hours by default.
   */
  replayWindowSeconds?: number;
}

export const INLET_HMAC: GenericHmacOptions = {
  header: 'x-inlet-signature',
  algorithm: 'SHA-256',
  encoding: 'hex',
  prefix: 'sha256=',
  signed: 'timestamp.body',
  timestampHeader: 'x-inlet-timestamp',
  timestampUnit: 's',
  toleranceSeconds: 300,
  idHeader: 'x-inlet-id',
  // v2 signs the delivery id too: `x-inlet-signature: v2=<hex of HMAC(id.timestamp.body)>`.
  upgrade: { prefix: 'v2=', signed: 'id.timestamp.body' },
};

const DIGEST_BYTES: Record<HashAlgorithm, number> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-512': 64 };

const PLACEHOLDER = /\{(timestamp|id|method|url)\}/g;

/**
 * Rejects a configuration that could never verify, or that would sign less than the body: a
 * mistake in a source's code should fail at start-up, not as a 401 for every delivery.
 */
function assertUsable(options: GenericHmacOptions): void {
  if (options.upgrade) {
    const { upgrade, ...rest } = options;
    assertUsable({ ...rest, signed: upgrade.signed });
  }
  const { signed } = options;
  if (typeof signed === 'object' && !signed.template.includes('{body}')) {
    throw new Error('generic HMAC: the signed template must include {body}');
  }
  if (needsTimestamp(signed) && !options.timestampHeader) {
    throw new Error('generic HMAC: a signed timestamp needs timestampHeader');
  }
  if (needsId(signed) && !options.idHeader) {
    throw new Error('generic HMAC: a signed id needs idHeader');
  }
}

function needsTimestamp(signed: GenericHmacOptions['signed']): boolean {
  return (
    signed === 'timestamp.body' ||
    signed === 'id.timestamp.body' ||
    (typeof signed === 'object' && signed.template.includes('{timestamp}'))
  );
}

function needsId(signed: GenericHmacOptions['signed']): boolean {
  return signed === 'id.timestamp.body' || (typeof signed === 'object' && signed.template.includes('{id}'));
}

function signedContent(
  signed: GenericHmacOptions['signed'],
  request: InboundRequest,
  timestamp: string,
  id: string,
): Bytes {
  if (signed === 'body') return request.body;
  if (signed === 'timestamp.body') return concatBytes(utf8(`${timestamp}.`), request.body);
  if (signed === 'id.timestamp.body') return concatBytes(utf8(`${id}.${timestamp}.`), request.body);
  // The body is spliced in as bytes, never decoded and re-encoded, so non-UTF-8 bodies still verify.
  // Placeholders are filled in one pass: a value that happens to contain `{url}` is not expanded again.
  const values: Record<string, string> = { timestamp, id, method: request.method, url: request.url };
  const [before, ...after] = signed.template.split('{body}');
  const fill = (part: string) =>
    utf8(part.replace(PLACEHOLDER, (_match, name: string) => values[name] ?? ''));
  const pieces: Bytes[] = [fill(before ?? '')];
  for (const part of after) pieces.push(request.body, fill(part));
  return concatBytes(...pieces);
}

export const genericHmac = (options: GenericHmacOptions): Verifier => {
  assertUsable(options);
  const tolerance = options.toleranceSeconds ?? 300;
  const digestBytes = DIGEST_BYTES[options.algorithm];
  const { upgrade } = options;
  return {
    scheme: `hmac-${options.algorithm.toLowerCase()}`,
    async verify(request: InboundRequest, context: VerifyContext): Promise<VerifyResult> {
      let header = request.headers.get(options.header)?.trim();
      if (!header) return { ok: false, reason: 'missing_header' };
      const upgraded = upgrade !== undefined && header.startsWith(upgrade.prefix);
      if (upgrade?.required && !upgraded) return { ok: false, reason: 'malformed_signature' };
      const signed = upgraded ? upgrade.signed : options.signed;
      if (upgraded) header = header.slice(upgrade.prefix.length);
      let timestamp = '';
      if (needsTimestamp(signed)) {
        timestamp = (options.timestampHeader && request.headers.get(options.timestampHeader)?.trim()) || '';
        if (!timestamp) return { ok: false, reason: 'missing_header' };
        if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'malformed_signature' };
        const ms = options.timestampUnit === 'ms' ? Number(timestamp) : Number(timestamp) * 1000;
        if (!withinTolerance(ms, context.nowMs, tolerance))
          return { ok: false, reason: 'timestamp_out_of_tolerance' };
      }
      const id = (options.idHeader && request.headers.get(options.idHeader)?.trim()) || '';
      if (needsId(signed) && !id) return { ok: false, reason: 'missing_header' };
      if (!upgraded && options.prefix && header.toLowerCase().startsWith(options.prefix.toLowerCase())) {
        header = header.slice(options.prefix.length);
      }
      const signature = options.encoding === 'hex' ? fromHex(header) : fromBase64(header);
      if (signature?.byteLength !== digestBytes) return { ok: false, reason: 'malformed_signature' };
      const secrets = context.secrets.filter((s) => s.length > 0).map(utf8);
      if (secrets.length === 0) return { ok: false, reason: 'no_secret_configured' };
      const matched = await hmacMatchesAny(
        options.algorithm,
        secrets,
        signedContent(signed, request, timestamp, id),
        [signature],
      );
      if (!matched) return { ok: false, reason: 'no_matching_signature' };
      if (!id) return { ok: true };
      if (needsId(signed)) return { ok: true, deliveryId: id };
      // The id is the sender's word only: the signature, which covers the body (and the
      // timestamp), also identifies the request, so a replay under a fresh id is caught.
      const windowSeconds = needsTimestamp(signed)
        ? 2 * tolerance
        : (options.replayWindowSeconds ?? 72 * 3600);
      return {
        ok: true,
        deliveryId: id,
        replay: { key: `sig:${toHex(signature)}`, windowMs: windowSeconds * 1000 },
      };
    },
  };
};
