import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ErrorClass } from '../../src/lib/outcome';
import {
  decideDelivery,
  isOutage,
  MAX_QUEUE_DELAY_SECONDS,
  mayHaveApplied,
} from '../../src/pipeline/retry-policy';

const retry = { baseSeconds: 30, maxSeconds: 3600, maxAttempts: 9 };
const update = { creating: false, searchLagSeconds: 300 };
const create = { creating: true, searchLagSeconds: 300 };

const ERROR_CLASSES = [
  'ok',
  'network',
  'timeout',
  'request_timeout',
  'rate_limited',
  'server_error',
  'client_error',
  'config_error',
  'lookup_failed',
] as const satisfies readonly ErrorClass[];
const TRANSIENT = [
  'network',
  'timeout',
  'request_timeout',
  'rate_limited',
  'server_error',
  'lookup_failed',
] as const;

describe('decideDelivery', () => {
  it('delivers on ok, even on the last attempt', () => {
    expect(decideDelivery({ errorClass: 'ok' }, 1, retry, update)).toEqual({ status: 'delivered' });
    expect(decideDelivery({ errorClass: 'ok' }, 9, retry, create)).toEqual({ status: 'delivered' });
  });

  it('pauses on config_error, whatever the attempt: it never uses one up', () => {
    for (const attempt of [1, 8, 9, 10, 100])
      for (const options of [update, create])
        expect(
          decideDelivery({ errorClass: 'config_error', retryAfterSeconds: 60 }, attempt, retry, options),
        ).toEqual({ status: 'paused' });
  });

  it('kills a delivery the destination refused (client_error), not exhausted', () => {
    expect(decideDelivery({ errorClass: 'client_error' }, 1, retry, create)).toEqual({
      status: 'dead',
      exhausted: false,
    });
    expect(decideDelivery({ errorClass: 'client_error' }, 9, retry, update)).toEqual({
      status: 'dead',
      exhausted: false,
    });
  });

  it.each(TRANSIENT)('kills a %s on the last attempt, exhausted', (errorClass) => {
    expect(decideDelivery({ errorClass }, 9, retry, create, () => 0.5)).toEqual({
      status: 'dead',
      exhausted: true,
    });
    expect(decideDelivery({ errorClass }, 12, retry, update, () => 0.5)).toEqual({
      status: 'dead',
      exhausted: true,
    });
  });

  it.each(TRANSIENT)('retries a %s before the last attempt, after the backoff', (errorClass) => {
    // No floor for an update: full-jitter backoff, 0.5 of 30 s then of 120 s.
    expect(decideDelivery({ errorClass }, 1, retry, update, () => 0.5)).toEqual({
      status: 'retrying',
      delaySeconds: 15,
    });
    expect(decideDelivery({ errorClass }, 3, retry, update, () => 0.5)).toEqual({
      status: 'retrying',
      delaySeconds: 60,
    });
    expect(decideDelivery({ errorClass }, 8, retry, update, () => 0.9999)).toEqual({
      status: 'retrying',
      delaySeconds: 3600,
    });
  });

  it.each(['timeout', 'network', 'server_error'] as const)(
    'waits at least searchLagSeconds after a create whose answer was lost (%s)',
    (errorClass) => {
      expect(decideDelivery({ errorClass }, 1, retry, create, () => 0)).toEqual({
        status: 'retrying',
        delaySeconds: 300,
      });
      expect(decideDelivery({ errorClass }, 1, retry, update, () => 0)).toEqual({
        status: 'retrying',
        delaySeconds: 1,
      });
      // A backoff above the lag wins.
      expect(decideDelivery({ errorClass }, 5, retry, create, () => 0.999)).toEqual({
        status: 'retrying',
        delaySeconds: 480,
      });
    },
  );

  it.each(['rate_limited', 'request_timeout', 'lookup_failed'] as const)(
    'gives a create that failed with %s no searchLag floor: nothing was written',
    (errorClass) => {
      expect(decideDelivery({ errorClass }, 1, retry, create, () => 0)).toEqual({
        status: 'retrying',
        delaySeconds: 1,
      });
    },
  );

  it('waits for Retry-After when it is above the backoff, and not when it is below', () => {
    expect(
      decideDelivery({ errorClass: 'rate_limited', retryAfterSeconds: 600 }, 1, retry, update, () => 0.5),
    ).toEqual({ status: 'retrying', delaySeconds: 600 });
    expect(
      decideDelivery({ errorClass: 'rate_limited', retryAfterSeconds: 2 }, 1, retry, update, () => 0.5),
    ).toEqual({
      status: 'retrying',
      delaySeconds: 15,
    });
    // Above both the backoff and the searchLag floor.
    expect(
      decideDelivery({ errorClass: 'server_error', retryAfterSeconds: 900 }, 1, retry, create, () => 0.5),
    ).toEqual({ status: 'retrying', delaySeconds: 900 });
    // Between the backoff and the floor: the floor wins.
    expect(
      decideDelivery({ errorClass: 'server_error', retryAfterSeconds: 100 }, 1, retry, create, () => 0.5),
    ).toEqual({ status: 'retrying', delaySeconds: 300 });
  });

  it('never waits longer than the queue allows (43,200 s)', () => {
    expect(MAX_QUEUE_DELAY_SECONDS).toBe(43_200);
    expect(
      decideDelivery({ errorClass: 'rate_limited', retryAfterSeconds: 10 ** 9 }, 1, retry, update, () => 0),
    ).toEqual({ status: 'retrying', delaySeconds: 43_200 });
    expect(
      decideDelivery(
        { errorClass: 'timeout' },
        1,
        retry,
        { creating: true, searchLagSeconds: 10 ** 6 },
        () => 0,
      ),
    ).toEqual({ status: 'retrying', delaySeconds: 43_200 });
    expect(
      decideDelivery(
        { errorClass: 'server_error' },
        30,
        { baseSeconds: 30, maxSeconds: 10 ** 7, maxAttempts: 40 },
        update,
        () => 0.999,
      ),
    ).toEqual({ status: 'retrying', delaySeconds: 43_200 });
  });

  it('always decides one of the four outcomes, with a delay in [1, 43200]', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ERROR_CLASSES),
        fc.integer({ min: 1, max: 50 }),
        fc.record({
          baseSeconds: fc.integer({ min: 1, max: 3600 }),
          maxSeconds: fc.integer({ min: 1, max: 10 ** 6 }),
          maxAttempts: fc.integer({ min: 1, max: 30 }),
        }),
        fc.option(fc.integer({ min: 0, max: 10 ** 7 }), { nil: undefined }),
        fc.boolean(),
        fc.integer({ min: 0, max: 3600 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (errorClass, attempt, settings, retryAfterSeconds, creating, searchLagSeconds, r) => {
          const outcome =
            retryAfterSeconds === undefined ? { errorClass } : { errorClass, retryAfterSeconds };
          const decision = decideDelivery(
            outcome,
            attempt,
            settings,
            { creating, searchLagSeconds },
            () => r,
          );
          expect(['delivered', 'retrying', 'dead', 'paused']).toContain(decision.status);
          if (errorClass === 'ok') expect(decision).toEqual({ status: 'delivered' });
          else if (errorClass === 'config_error') expect(decision).toEqual({ status: 'paused' });
          else if (errorClass === 'client_error')
            expect(decision).toEqual({ status: 'dead', exhausted: false });
          else if (attempt >= settings.maxAttempts)
            expect(decision).toEqual({ status: 'dead', exhausted: true });
          else {
            expect(decision.status).toBe('retrying');
            if (decision.status !== 'retrying') return;
            expect(Number.isInteger(decision.delaySeconds)).toBe(true);
            expect(decision.delaySeconds).toBeGreaterThanOrEqual(1);
            expect(decision.delaySeconds).toBeLessThanOrEqual(MAX_QUEUE_DELAY_SECONDS);
            expect(decision.delaySeconds).toBeGreaterThanOrEqual(
              Math.min(MAX_QUEUE_DELAY_SECONDS, retryAfterSeconds ?? 0),
            );
            if (creating && mayHaveApplied(errorClass))
              expect(decision.delaySeconds).toBeGreaterThanOrEqual(searchLagSeconds);
          }
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe('mayHaveApplied and isOutage', () => {
  it('takes exactly a lost answer or a 5xx as a write that may have been applied', () => {
    expect(ERROR_CLASSES.filter(mayHaveApplied)).toEqual(['network', 'timeout', 'server_error']);
  });

  it('counts exactly those and a 408 towards an outage: not a busy, picky or misconfigured destination', () => {
    expect(ERROR_CLASSES.filter(isOutage)).toEqual(['network', 'timeout', 'request_timeout', 'server_error']);
  });
});
