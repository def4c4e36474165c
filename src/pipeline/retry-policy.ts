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

/** A wait as a queue delay: at least a second, at most what Queues accept (longer waits come back). */
export const queueDelaySeconds = (ms: number): number =>
  Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(1, Math.ceil(ms / 1000)));

/**
 * Transient failures are retried: the network, timeouts, 408, 429 and 5xx (RFC 9110 marks them as
 * worth repeating), and a provider lookup. Any other 4xx means the destination refused this lead:
 * repeating it cannot help. A configuration error never reaches `decide`: it pauses the destination
 * (`decideDelivery`).
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

/** What becomes of a delivery after an attempt. */
export type DeliveryDecision =
  | { status: 'delivered' }
  | { status: 'retrying'; delaySeconds: number }
  | { status: 'dead'; exhausted: boolean }
  /** A configuration error: the destination pauses, the delivery waits parked, its attempt given back. */
  | { status: 'paused' };

/**
 * Failures after which the destination may have applied the write without saying so: the answer
 * was lost (a timeout, a dropped connection) or the server failed part-way (5xx).
 */
export const mayHaveApplied = (errorClass: ErrorClass): boolean =>
  errorClass === 'timeout' || errorClass === 'network' || errorClass === 'server_error';

/** Failures that count towards opening a destination's circuit: it is down, not busy or picky. */
export const isOutage = (errorClass: ErrorClass): boolean =>
  mayHaveApplied(errorClass) || errorClass === 'request_timeout';

export function decideDelivery(
  outcome: AttemptOutcome,
  attempt: number,
  retry: RetrySettings,
  options: {
    /** The attempt was a create: a lost answer may hide a record the CRM's search cannot see yet. */
    creating: boolean;
    searchLagSeconds: number;
  },
  random: () => number = Math.random,
): DeliveryDecision {
  if (outcome.errorClass === 'config_error') return { status: 'paused' };
  const decision = decide(outcome, attempt, retry, random);
  if (decision.action === 'done') return { status: 'delivered' };
  if (decision.action === 'stop') return { status: 'dead', exhausted: decision.exhausted };
  const lag = options.creating && mayHaveApplied(outcome.errorClass) ? options.searchLagSeconds : 0;
  return {
    status: 'retrying',
    delaySeconds: Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(decision.delaySeconds, lag)),
  };
}
