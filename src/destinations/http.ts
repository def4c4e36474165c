/**
 * The HTTP call every adapter makes, with the same timeout, the same classification of network
 * failures and the same rule for reading an answer: error bodies are read only for the
 * destination's reason code, never kept, since they may echo the lead.
 */
import { type ErrorClass, parseRetryAfter } from '../lib/outcome';
import type { DeliveryOutcome } from './types';

export type Call =
  | { ok: true; response: Response; durationMs: number }
  | { ok: false; outcome: DeliveryOutcome };

/** fetch with a timeout; a thrown fetch becomes a `timeout` or `network` outcome. */
export async function call(url: string | URL, init: RequestInit, timeoutMs: number): Promise<Call> {
  const started = Date.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { ok: true, response, durationMs: Date.now() - started };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return {
      ok: false,
      outcome: timedOut
        ? {
            errorClass: 'timeout',
            httpStatus: null,
            reason: `no response within ${timeoutMs} ms`,
            durationMs: Date.now() - started,
          }
        : {
            errorClass: 'network',
            httpStatus: null,
            reason: 'connection failed',
            durationMs: Date.now() - started,
          },
    };
  }
}

const MAX_JSON_BYTES = 256 * 1024;

/** The answer's JSON body, or undefined when it is not JSON, too large, or unreadable. */
export async function jsonOf<T = unknown>(response: Response): Promise<T | undefined> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (!response.headers.get('content-type')?.includes('json') || declared > MAX_JSON_BYTES) {
    await response.body?.cancel();
    return undefined;
  }
  try {
    return (await response.json()) as T;
  } catch {
    return undefined;
  }
}

/** An outcome from an answer, with `Retry-After` read when present. */
export function outcome(
  response: Response,
  errorClass: ErrorClass,
  reason: string,
  durationMs: number,
  extra: Partial<Pick<DeliveryOutcome, 'recordId' | 'paceSeconds' | 'retryAfterSeconds'>> = {},
): DeliveryOutcome {
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), Date.now());
  return {
    errorClass,
    httpStatus: response.status,
    reason,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    ...extra,
    durationMs,
  };
}

/**
 * Slow down before the destination says 429: when the rate-limit window has at most `reserve`
 * calls left (default a tenth of the limit, at least one), hold until the window resets.
 */
export function paceFrom(
  remaining: number | undefined,
  limit: number | undefined,
  resetSeconds: number | undefined,
  reserve?: number,
): number | undefined {
  if (remaining === undefined || resetSeconds === undefined || !Number.isFinite(remaining)) return undefined;
  const floor = reserve ?? Math.max(1, Math.floor((limit ?? 0) / 10));
  return remaining <= floor ? Math.max(1, Math.ceil(resetSeconds)) : undefined;
}

/** A header as a finite number, or undefined. */
export function numberHeader(response: Response, name: string): number | undefined {
  const value = response.headers.get(name);
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Keeps reason codes short and free of anything a CRM might have quoted. */
export const reasonCode = (text: unknown): string =>
  typeof text === 'string' ? text.replace(/[^A-Za-z0-9_.:-]/g, '').slice(0, 60) : '';
