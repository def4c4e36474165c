/**
 * Verification failures, counted per source for the `verification_burst` alert without a D1 write
 * per bad request (a flood of forged requests must not become a flood of writes): each isolate
 * counts in memory and flushes at most every few seconds, after the answer has gone out.
 */
import { config } from '../config';
import { log } from '../lib/log';
import { type Alert, alertSettings } from './raise';
import { raiseNow } from './wake';

const FLUSH_MS = 5_000;

interface Counter {
  count: number;
  flushedAt: number;
  scheduled: boolean;
}

const counters = new Map<string, Counter>();

export function countVerificationFailure(
  env: Env,
  source: string,
  waitUntil: (promise: Promise<unknown>) => void,
  nowMs: number = Date.now(),
): void {
  const counter = counters.get(source) ?? { count: 0, flushedAt: 0, scheduled: false };
  counters.set(source, counter);
  counter.count++;
  const wait = counter.flushedAt + FLUSH_MS - nowMs;
  if (wait <= 0) {
    waitUntil(flush(env, source, counter, nowMs));
  } else if (!counter.scheduled) {
    // The rest of a burst is flushed once its window is over, so a burst's count is not lost.
    counter.scheduled = true;
    waitUntil(
      new Promise((resolve) => setTimeout(resolve, wait)).then(() => flush(env, source, counter, Date.now())),
    );
  }
}

async function flush(env: Env, source: string, counter: Counter, nowMs: number): Promise<void> {
  const increment = counter.count;
  counter.count = 0;
  counter.flushedAt = nowMs;
  counter.scheduled = false;
  if (increment === 0) return;
  const alert: Alert = {
    kind: 'verification_burst',
    source,
    destination: null,
    errorClass: 'invalid_signature',
    increment,
    postAt: alertSettings(config.alerts).verificationThreshold,
  };
  try {
    await raiseNow(env, alert, nowMs);
  } catch (error) {
    // Counting is best effort: a lost count never touches a lead.
    log.warn('counting verification failures failed', {
      source,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}
