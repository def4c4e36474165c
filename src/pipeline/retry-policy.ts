/**
 * Whether a failed delivery is retried, and when. Pure: the consumer feeds it an outcome and gets a
 * decision, so the policy is unit-tested without a queue.
 */
import type { ErrorClass } from '../lib/outcome';

export interface RetrySettings {
  /** Upper bound of the first retry's delay; doubles each attempt. */
  baseSeconds: number;
  /** Cap on any backoff delay (Cloudflare Queues accept at most 43,200 s). */
  maxSeconds: number;
  /**
   * Delivery attempts before an event is dead. Counted by Inlet, not by the queue: waiting out a
   * hold or another event's creation re-sends the message, which a queue would count as a retry.
   */
  maxAttempts: number;
}

export type Decision =
  | { action: 'done' }
  | { action: 'retry'; delaySeconds: number }
  /** `exhausted`: a transient failure on the last allowed attempt; otherwise the destination refused. */
  | { action: 'stop'; exhausted: boolean };

/** Cloudflare Queues reject a longer `delaySeconds`. */
export const MAX_QUEUE_DELAY_SECONDS = 43_200;

/**
 * Transient failures are retried: the network, timeouts, 408, 429 and 5xx (RFC 9110 marks them as
 * worth repeating), and our own misconfiguration, which an operator can fix before the last
 * attempt. Any other 4xx means the destination refused this lead: repeating it cannot help.
 */
export function isRetryable(errorClass: ErrorClass): boolean {
  return errorClass !== 'ok' && errorClass !== 'client_error';
}

/**
 * Exponential backoff with full jitter (a uniform pick between 1 s and the exponential bound), so
 * leads that failed together during an outage do not return together and knock the CRM over again.
 */
export function backoffSeconds(attempt: number, retry: RetrySettings, random: () => number): number {
  const bound = Math.min(retry.maxSeconds, retry.baseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.ceil(random() * bound));
}

export interface AttemptOutcome {
  errorClass: ErrorClass;
  retryAfterSeconds?: number;
}

export function decide(
  outcome: AttemptOutcome,
  attempt: number,
  retry: RetrySettings,
  random: () => number = Math.random,
): Decision {
  if (outcome.errorClass === 'ok') return { action: 'done' };
  if (!isRetryable(outcome.errorClass)) return { action: 'stop', exhausted: false };
  if (attempt >= retry.maxAttempts) return { action: 'stop', exhausted: true };
  // The destination's own word on when to come back wins over our backoff, but never makes us
  // come back sooner than backoff would.
  const delay = Math.max(backoffSeconds(attempt, retry, random), outcome.retryAfterSeconds ?? 0);
  return { action: 'retry', delaySeconds: Math.min(delay, MAX_QUEUE_DELAY_SECONDS) };
}
