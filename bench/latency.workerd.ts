// How long the accept path keeps a sender waiting, per ACCEPT_MODE, when the bindings are as far
// away as at the edge. Locally a D1 round trip is a fraction of a millisecond, so the order of the
// calls cannot show; here the real local D1 and a recording queue are wrapped to answer after a set
// delay (D1_MS for each D1 round trip: its primary an ocean away; QUEUE_MS for each send), and the
// Worker's own fetch handler answers real signed requests, one at a time. A model of the edge's
// latency with the real code path, not a measurement of the edge. `npm run bench -- cost` prints it.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it, vi } from 'vitest';
import { app } from '../src/app';
import { aroundD1, recordingQueue, signDemo, uniqueEmail } from '../test/workerd/helpers';

const D1_MS = 80;
const QUEUE_MS = 25;
const REQUESTS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** env.DB whose every round trip (a statement's run/first/all, a batch) waits D1_MS first. */
const distantDb = (): D1Database =>
  aroundD1(env.DB, async (roundTrip) => {
    await sleep(D1_MS);
    return roundTrip();
  });

function distantQueue(): Queue {
  const { queue } = recordingQueue();
  return {
    send: async (...args: Parameters<Queue['send']>) => {
      await sleep(QUEUE_MS);
      return queue.send(...args);
    },
    sendBatch: async (...args: Parameters<Queue['sendBatch']>) => {
      await sleep(QUEUE_MS);
      return queue.sendBatch(...args);
    },
  } as unknown as Queue;
}

it('answers a new lead after the slower round trip (concurrent), their sum (serial), or the queue alone', async () => {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const rows: { mode: string; p50: number; max: number }[] = [];
  for (const mode of ['serial', 'concurrent', 'queue-first']) {
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const body = JSON.stringify({ email: uniqueEmail('latency'), first_name: 'Ada' });
      const request = new Request('https://inlet.test/in/demo', {
        method: 'POST',
        headers: signDemo(body),
        body,
      });
      const ctx = createExecutionContext();
      const started = performance.now();
      const response = await app.fetch(
        request,
        { ...env, DB: distantDb(), DELIVERIES: distantQueue(), ACCEPT_MODE: mode, LOG_LEVEL: 'warn' },
        ctx,
      );
      times.push(performance.now() - started);
      expect(response.status).toBe(202);
      await waitOnExecutionContext(ctx);
    }
    times.sort((a, b) => a - b);
    rows.push({ mode, p50: times[Math.floor(times.length / 2)]!, max: times.at(-1)! });
  }
  vi.restoreAllMocks();
  console.log(
    `BENCH_LATENCY_JSON ${JSON.stringify({ d1Ms: D1_MS, queueMs: QUEUE_MS, requests: REQUESTS, rows })}`,
  );
});
