// What the chaos runs share (`bench/chaos.mjs`, `bench/chaos-scale.mjs`): bounded waits, a pool of
// senders, and the counting and printing of what came back.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with `promise`, or after `ms` with undefined: a stop that cannot hang the run. */
export const within = (promise, ms) => Promise.race([promise, sleep(ms)]);

/** Runs `work` over `items` with at most `limit` at a time. */
export async function pool(items, limit, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

/** How often each value occurs, sorted by value. */
export const histogram = (values) => {
  const counts = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
};

/** `a: 1, b: 2`, or `-` for nothing. */
export const format = (counts) =>
  Object.entries(counts)
    .map(([key, n]) => `${key}: ${n}`)
    .join(', ') || '-';

/** A check of the run: printed at once, counted at the end; `failed()` names the ones that failed. */
export function checks() {
  const all = [];
  return {
    all,
    check(ok, name, detail = '') {
      all.push({ ok, name, detail });
      console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `: ${detail}` : ''}`);
      return ok;
    },
    failed: () => all.filter((c) => !c.ok),
  };
}

/**
 * The leads in sending order: each at its place (with its concurrent copy), a later redelivery a
 * few places after its original. `random` is the run's seeded generator, called once per later
 * redelivery in lead order, so a seed sends the same sequence.
 */
export function sendingOrder(leads, random) {
  const jobs = leads.map((lead) => ({
    order: lead.i,
    lead,
    copies: lead.redelivery === 'concurrent' ? 2 : 1,
  }));
  for (const lead of leads) {
    if (lead.redelivery === 'later') jobs.push({ order: lead.i + 2 + random() * 20, lead, copies: 1 });
  }
  return jobs.sort((a, b) => a.order - b.order);
}

/**
 * A run's last bounds: SIGINT or SIGTERM stops everything it started (exit 130), and so does the
 * watchdog, when given, after `watchdogMs` whatever hangs (exit 1).
 */
export function boundRun(name, stopAll, watchdogMs) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      console.error(`${name} stopped by ${signal}`);
      await stopAll();
      process.exit(130);
    });
  }
  if (watchdogMs === undefined) return;
  const watchdog = setTimeout(async () => {
    console.error(`${name} aborted: still running after ${Math.round(watchdogMs / 1000)} s`);
    await stopAll();
    process.exit(1);
  }, watchdogMs);
  watchdog.unref();
}
