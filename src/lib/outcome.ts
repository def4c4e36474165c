/**
 * How one call to the outside world ended, in the few classes the retry policy and the destination
 * health decide on. Lives below both: the destinations classify, the pipeline decides.
 */

/** Why an attempt ended the way it did; recorded on every attempt and shown to operators. */
export type ErrorClass =
  | 'ok'
  | 'network'
  | 'timeout'
  | 'request_timeout'
  | 'rate_limited'
  | 'server_error'
  /** The destination refused this lead (its validation): retrying cannot help, the delivery is dead. */
  | 'client_error'
  /**
   * Our side is wrong (revoked token, missing scope, unknown property, bad URL): every lead would
   * fail the same way, so the destination is paused and its deliveries wait, burning no attempts.
   */
  | 'config_error'
  /** A provider lookup before delivery failed (Meta's Graph API down, or its token needs fixing). */
  | 'lookup_failed';

export function classifyStatus(status: number): ErrorClass {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 408) return 'request_timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'client_error';
}

/**
 * `Retry-After` as seconds from now: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined
 * when absent or unparseable, so a garbled header falls back to backoff instead of failing.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}
