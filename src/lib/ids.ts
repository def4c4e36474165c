/**
 * Time-ordered ids (ULID layout: 48-bit milliseconds + 80 random bits, Crockford base32), so events
 * sort by arrival in D1 and in listings without a second index.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The ten characters an id made at `ms` starts with: ids of later times sort after it. */
export function timePrefix(ms: number): string {
  let time = '';
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time;
}

export function newId(prefix: string, nowMs: number = Date.now()): string {
  const random = crypto.getRandomValues(new Uint8Array(16));
  let tail = '';
  for (const byte of random) tail += ALPHABET[byte % 32];
  return `${prefix}_${timePrefix(nowMs)}${tail}`;
}
