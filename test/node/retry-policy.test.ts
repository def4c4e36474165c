import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyStatus, parseRetryAfter } from '../../src/lib/outcome';
import { backoffSeconds, decide, MAX_QUEUE_DELAY_SECONDS } from '../../src/pipeline/retry-policy';

const retry = { baseSeconds: 30, maxSeconds: 3600, maxAttempts: 9 };

describe('retry policy', () => {
  it.each([
    [200, 'ok'],
    [204, 'ok'],
    [408, 'request_timeout'],
    [429, 'rate_limited'],
    [500, 'server_error'],
    [503, 'server_error'],
    [400, 'client_error'],
    [404, 'client_error'],
    [422, 'client_error'],
  ] as const)('classifies HTTP %i as %s', (status, errorClass) => {
    expect(classifyStatus(status)).toBe(errorClass);
  });

  it('retries transient classes and stops on other 4xx', () => {
    for (const errorClass of [
      'network',
      'timeout',
      'request_timeout',
      'rate_limited',
      'server_error',
    ] as const) {
      expect(decide({ errorClass }, 1, retry, () => 0.5).action).toBe('retry');
    }
    expect(decide({ errorClass: 'client_error' }, 1, retry)).toEqual({ action: 'stop', exhausted: false });
    expect(decide({ errorClass: 'ok' }, 1, retry)).toEqual({ action: 'done' });
  });

  it('stops a transient failure on the last allowed attempt, and only then', () => {
    expect(decide({ errorClass: 'server_error' }, 8, retry, () => 0.5).action).toBe('retry');
    expect(decide({ errorClass: 'server_error' }, 9, retry, () => 0.5)).toEqual({
      action: 'stop',
      exhausted: true,
    });
    expect(decide({ errorClass: 'ok' }, 9, retry)).toEqual({ action: 'done' });
  });

  it('never waits less than Retry-After, nor longer than the queue allows', () => {
    expect(
      decide(
        { errorClass: 'rate_limited', retryAfterSeconds: 7 },
        1,
        { ...retry, baseSeconds: 1, maxSeconds: 60 },
        () => 0,
      ),
    ).toEqual({
      action: 'retry',
      delaySeconds: 7,
    });
    expect(decide({ errorClass: 'rate_limited', retryAfterSeconds: 10 ** 9 }, 1, retry, () => 0)).toEqual({
      action: 'retry',
      delaySeconds: MAX_QUEUE_DELAY_SECONDS,
    });
  });

  it('backs off exponentially within [1, min(max, base * 2^(n-1))]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, r) => {
          const delay = backoffSeconds(attempt, retry, () => r);
          const bound = Math.min(retry.maxSeconds, retry.baseSeconds * 2 ** (attempt - 1));
          return delay >= 1 && delay <= bound && Number.isInteger(delay);
        },
      ),
    );
    expect(backoffSeconds(1, retry, () => 0.999)).toBe(30);
    expect(backoffSeconds(3, retry, () => 0.999)).toBe(120);
    expect(backoffSeconds(20, retry, () => 0.9999999)).toBe(3600);
  });

  it('reads Retry-After as seconds or an HTTP date, and ignores garbage', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
