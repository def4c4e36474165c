/**
 * Reading provider ids out of a parsed payload that has not been validated yet: idempotency keys
 * are taken before the source's schema runs, so every read is defensive.
 */

/** Whatever is at `path` (own properties only), or undefined. */
export function valueAt(payload: unknown, ...path: readonly (string | number)[]): unknown {
  let node: unknown = payload;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** The string or finite number at `path`, as text; undefined for anything else or an empty string. */
export function textAt(payload: unknown, ...path: readonly (string | number)[]): string | undefined {
  const node = valueAt(payload, ...path);
  if (typeof node === 'string') return node.length > 0 ? node : undefined;
  if (typeof node === 'number' && Number.isFinite(node)) return String(node);
  return undefined;
}

/** `a:b:c` when every part is present, so a key is never built from half an identity. */
export function joinKey(...parts: readonly (string | undefined)[]): string | undefined {
  return parts.every((part) => part !== undefined) ? parts.join(':') : undefined;
}

// Keys are stored and compared as they are; past this a batch is identified by its delivery or
// body instead of a key that grows with the batch.
const BATCH_KEY_LIMIT = 1024;

/** The ids of a batch, joined, when every item has one and the result stays short. */
export function batchKey(ids: readonly (string | undefined)[]): string | undefined {
  if (ids.length === 0 || ids.some((id) => id === undefined)) return undefined;
  const key = ids.join(',');
  return key.length <= BATCH_KEY_LIMIT ? key : undefined;
}
