/**
 * Failed sign-ins per client address, counted in this isolate's memory: guessing the admin token
 * from one address is cut to a few tries a minute. An attacker spread over many isolates or
 * addresses gets more, so production should also have a rate-limiting rule on `/admin/*` in front
 * of the Worker (docs/runbook.md); this is the floor that needs no configuration.
 */
export class FailureThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly capacity = 10_000,
  ) {}

  /** Seconds to wait before trying again, or 0 when the key may try now. */
  retryAfter(key: string, nowMs: number): number {
    const entry = this.failures.get(key);
    if (!entry || nowMs - entry.since >= this.windowMs) return 0;
    return entry.count >= this.max ? Math.ceil((entry.since + this.windowMs - nowMs) / 1000) : 0;
  }

  fail(key: string, nowMs: number): void {
    const entry = this.failures.get(key);
    if (!entry || nowMs - entry.since >= this.windowMs) {
      // A full map forgets its oldest entry: memory stays bounded under a scan of addresses.
      if (!entry && this.failures.size >= this.capacity) {
        const oldest = this.failures.keys().next().value;
        if (oldest !== undefined) this.failures.delete(oldest);
      }
      this.failures.delete(key);
      this.failures.set(key, { count: 1, since: nowMs });
    } else entry.count++;
  }
}

/** Ten wrong tokens a minute per address, for the API's bearer and the dashboard's sign-in alike. */
export const signInFailures = new FailureThrottle(10, 60_000);
