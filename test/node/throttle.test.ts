import { describe, expect, it } from 'vitest';
import { FailureThrottle } from '../../src/lib/throttle';

describe('failed sign-ins per address', () => {
  it('lets an address try until it failed max times in the window, then says how long to wait', () => {
    const throttle = new FailureThrottle(3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfter('203.0.113.7', 1000 + i)).toBe(0);
      throttle.fail('203.0.113.7', 1000 + i);
    }
    expect(throttle.retryAfter('203.0.113.7', 2000)).toBe(59);
    expect(throttle.retryAfter('198.51.100.1', 2000)).toBe(0); // another address is not held
    expect(throttle.retryAfter('203.0.113.7', 61_000)).toBe(0); // the window passed
  });

  it('stays bounded in memory under a scan of addresses', () => {
    const throttle = new FailureThrottle(1, 60_000, 100);
    for (let i = 0; i < 1000; i++) throttle.fail(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(throttle.retryAfter('10.0.3.231', 1)).toBeGreaterThan(0); // the newest is kept
    expect(throttle.retryAfter('10.0.0.0', 1)).toBe(0); // the oldest was forgotten
  });
});
