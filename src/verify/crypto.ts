/**
 * Byte and HMAC primitives shared by every signature scheme. WebCrypto only, so the same code runs
 * in workerd and in Node (tests, benchmarks).
 */

/** Bytes backed by a plain ArrayBuffer: what WebCrypto accepts. */
export type Bytes = Uint8Array<ArrayBuffer>;

const encoder = new TextEncoder();

export const utf8 = (text: string): Bytes => encoder.encode(text) as Bytes;

export function concatBytes(...parts: Bytes[]): Bytes {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

export function toHex(bytes: Bytes): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Strict: returns undefined for odd length or any non-hex character, never a partial decode. */
export function fromHex(text: string): Bytes | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toBase64(bytes: Bytes): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Accepts standard and URL-safe alphabets, with or without padding; undefined when malformed. */
export function fromBase64(text: string): Bytes | undefined {
  const normal = text.replaceAll('-', '+').replaceAll('_', '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normal)) return undefined;
  try {
    const binary = atob(normal.padEnd(Math.ceil(normal.length / 4) * 4, '='));
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

export type HashAlgorithm = 'SHA-1' | 'SHA-256' | 'SHA-512';

// Importing the key on every request makes a raw HMAC verify of a 2 KB body ~30-40 % slower
// (bench/verify.bench.ts); secrets change rarely, so imported keys live as long as the isolate.
// Bounded so a misconfiguration cannot grow it forever.
const keyCache = new Map<string, Promise<CryptoKey>>();
const KEY_CACHE_LIMIT = 256;

function cacheId(algorithm: HashAlgorithm, secret: Bytes): string {
  return `${algorithm}:${toBase64(secret)}`;
}

export function hmacKey(algorithm: HashAlgorithm, secret: Bytes): Promise<CryptoKey> {
  const id = cacheId(algorithm, secret);
  let key = keyCache.get(id);
  if (!key) {
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    key = crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: algorithm }, false, [
      'sign',
      'verify',
    ]);
    keyCache.set(id, key);
  }
  return key;
}

export async function hmac(algorithm: HashAlgorithm, secret: Bytes, data: Bytes): Promise<Bytes> {
  const key = await hmacKey(algorithm, secret);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, data));
}

/**
 * True when `signature` is the HMAC of `data` under any of `secrets`. `crypto.subtle.verify` compares
 * in constant time, so no timing reveals how much of a forged signature was right.
 */
export async function hmacMatchesAny(
  algorithm: HashAlgorithm,
  secrets: readonly Bytes[],
  data: Bytes,
  signatures: readonly Bytes[],
): Promise<boolean> {
  for (const secret of secrets) {
    const key = await hmacKey(algorithm, secret);
    for (const signature of signatures) {
      if (await crypto.subtle.verify('HMAC', key, signature, data)) return true;
    }
  }
  return false;
}

export async function sha256Hex(data: Bytes): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data)));
}

/**
 * Constant-time string comparison for tokens and passwords. Both sides are hashed first, so the
 * comparison takes the same time whatever their lengths and wherever they first differ.
 */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([
    crypto.subtle.digest('SHA-256', utf8(a)),
    crypto.subtle.digest('SHA-256', utf8(b)),
  ]);
  const x = new Uint8Array(da);
  const y = new Uint8Array(db);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * True when `candidate` equals any of `secrets`, for tokens and passwords sent as they are. Every
 * secret is compared, even after a match, so the time taken does not tell which one matched.
 */
export async function tokenMatchesAny(candidate: string, secrets: readonly string[]): Promise<boolean> {
  let matched = false;
  for (const secret of secrets) {
    if (secret.length > 0 && (await constantTimeEqual(candidate, secret))) matched = true;
  }
  return matched;
}

const decoder = new TextDecoder();

/** Bytes to text as UTF-8; invalid sequences become U+FFFD rather than throwing. */
export const fromUtf8 = (bytes: Bytes): string => decoder.decode(bytes);

/** Seconds (or milliseconds) timestamp within `toleranceSeconds` of now, in both directions. */
export function withinTolerance(timestampMs: number, nowMs: number, toleranceSeconds: number): boolean {
  return Number.isFinite(timestampMs) && Math.abs(nowMs - timestampMs) <= toleranceSeconds * 1000;
}
