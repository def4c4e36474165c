// Destination health, in its own file (health is per destination, and storage per file): a revoked
// token pauses the destination with its deliveries kept and no attempt burnt, a probe resumes it
// once the token works; a run of failures opens the circuit; an operator pauses and resumes by hand.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { deliverBatch } from '../../src/pipeline/deliver';
import type { DeliveryMessage } from '../../src/pipeline/enqueue';
import { sweep } from '../../src/pipeline/sweep';
import { listDeliveries } from '../../src/store/deliveries';
import { TEST_ADMIN_TOKEN, TEST_HUBSPOT_PAUSE_TOKEN } from '../secrets';
import {
  adminGet,
  call,
  crmDeliveries,
  crmScript,
  deliveryOf,
  fake,
  postLead,
  recordingQueue,
  storeLead,
  uniqueEmail,
  waitForEvent,
  waitForStatus,
} from './helpers';

interface DestinationView {
  name: string;
  state: string;
  paused: { by: string; reason: string; next_probe_at: string | null } | null;
  failure_streak: number;
  waiting: Record<string, number>;
}

async function destination(name: string): Promise<DestinationView> {
  const { destinations } = await (await adminGet('/admin/destinations')).json<{
    destinations: DestinationView[];
  }>();
  const found = destinations.find((d) => d.name === name);
  if (!found) throw new Error(`no destination ${name}`);
  return found;
}

const admin = (path: string) =>
  call(path, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });

const parked = (id: string) => waitForEvent(id, (event) => event.deliveries[0]?.status === 'paused');

/** Runs the cron sweep, as at `aheadMs` from now, until the destination's probe resumed it. */
async function sweepUntilActive(name: string, aheadMs = 0): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await sweep(env, Date.now() + aheadMs);
    if ((await destination(name)).state === 'active') return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${name} never resumed`);
}

describe('a revoked token', () => {
  it('pauses the destination, keeps its deliveries without attempts, and a probe resumes it', async () => {
    const hubspot = fake('hubspot');
    await hubspot.token(TEST_HUBSPOT_PAUSE_TOKEN, false);
    try {
      const first = uniqueEmail('revoked');
      const firstId = await postLead('t-pause', { email: first });
      const paused = await parked(firstId);
      // The attempt that met the 401 is recorded, and given back: it is not the lead's fault.
      expect(paused.attempts.map((a) => [a.http_status, a.error_class])).toEqual([[401, 'config_error']]);
      expect(deliveryOf(paused, 'hubspot-pause')?.attempts).toBe(0);
      expect(paused.status).toBe('delivering');
      const view = await destination('hubspot-pause');
      expect(view.state).toBe('paused');
      expect(view.paused).toMatchObject({ by: 'config' });
      expect(view.paused?.reason).toMatch(/^config_error: HTTP 401/);
      expect(view.paused?.reason).not.toContain(TEST_HUBSPOT_PAUSE_TOKEN);

      // While paused, a new lead waits parked: no attempt at all.
      const second = uniqueEmail('whilepaused');
      const secondId = await postLead('t-pause', { email: second });
      const waiting = await parked(secondId);
      expect(waiting.attempts).toEqual([]);
      expect((await destination('hubspot-pause')).waiting).toMatchObject({ paused: 2 });
    } finally {
      await hubspot.token(TEST_HUBSPOT_PAUSE_TOKEN, true);
    }
    // The token works again: the next probe delivers, the destination resumes, the rest follow.
    await sweepUntilActive('hubspot-pause');
    const { results } = await env.DB.prepare(
      `SELECT event_id FROM deliveries WHERE destination = 'hubspot-pause'`,
    ).all<{ event_id: string }>();
    for (const row of results) {
      const event = await waitForStatus(row.event_id, ['delivered', 'dead']);
      expect(event.status).toBe('delivered');
      expect(deliveryOf(event, 'hubspot-pause')?.attempts).toBe(1);
    }
    expect((await destination('hubspot-pause')).paused).toBeNull();
  }, 40_000);
});

describe('an operator', () => {
  it('pauses a destination by hand; no probe resumes it; a resume sends what waited', async () => {
    expect((await admin('/admin/destinations/salesforce/pause')).status).toBe(200);
    const email = uniqueEmail('manual');
    const id = await postLead('t-salesforce', { email });
    await parked(id);
    await sweep(env, Date.now() + 3_600_000);
    expect((await destination('salesforce')).paused).toMatchObject({ by: 'operator' });
    const resumed = await admin('/admin/destinations/salesforce/resume');
    expect(await resumed.json()).toMatchObject({ destination: 'salesforce', state: 'active', resent: 1 });
    expect((await waitForStatus(id, ['delivered', 'dead'])).status).toBe('delivered');
    expect(await fake('salesforce').records({ email })).toHaveLength(1);
  });

  it('gets 404 for a destination that is not configured', async () => {
    expect((await admin('/admin/destinations/nope/pause')).status).toBe(404);
  });
});

describe('a destination that keeps failing', () => {
  it('opens its circuit after a run of failures: retries wait parked, then all land once it recovers', async () => {
    const emails = [uniqueEmail('down1'), uniqueEmail('down2'), uniqueEmail('down3')];
    for (const email of emails) await crmScript(email, [{ status: 503 }]);
    const ids = await Promise.all(emails.map((email) => postLead('t-outage', { email })));
    // Three failures in a row (the threshold here) open the circuit.
    for (let i = 0; i < 100 && (await destination('crm-outage')).state !== 'paused'; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const view = await destination('crm-outage');
    expect(view.paused).toMatchObject({ by: 'outage' });
    expect(view.paused?.reason).toMatch(/^outage: \d+ failed calls in a row/);
    // Their retries come back while it is paused, and wait parked.
    for (const id of ids) await parked(id);
    expect((await destination('crm-outage')).waiting).toMatchObject({ paused: 3 });
    await sweepUntilActive('crm-outage', 31_000);
    for (const [i, id] of ids.entries()) {
      const event = await waitForStatus(id, ['delivered', 'dead']);
      expect(event.status).toBe('delivered');
      // One failed attempt each, then one that landed: parking burnt none.
      expect(deliveryOf(event, 'crm-outage')?.attempts).toBe(2);
      expect((await crmDeliveries(emails[i] ?? '')).filter((d) => d.status < 300)).toHaveLength(1);
    }
  }, 40_000);
});

describe('a batching destination', () => {
  it('counts one failed batch call as one failure: six leads in one failed call do not open a circuit of three', async () => {
    const emails = Array.from({ length: 6 }, (_, i) => uniqueEmail(`batch${i}`));
    // A 503 scripted for one input answers the whole batch upsert call.
    await fake('hubspot').script({ email: emails[0] as string }, [{ status: 503 }]);
    const ids = await Promise.all(emails.map((email) => storeLead({ email }, 't-circuit')));
    const { queue } = recordingQueue();
    const batch = createMessageBatch<DeliveryMessage>(
      'inlet-deliveries',
      ids.map((eventId, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body: { eventId } })),
    );
    await deliverBatch(batch, { ...env, DELIVERIES: queue });
    getQueueResult(batch, createExecutionContext());
    for (const id of ids) expect((await listDeliveries(env.DB, id))[0]?.status).toBe('retrying');
    const view = await destination('hubspot-circuit');
    expect(view.state).toBe('active');
    expect(view.failure_streak).toBe(1);
  });
});

describe('a probe answered 429', () => {
  it('resumes the destination: it is up and rate limited, not down', async () => {
    const email = uniqueEmail('probe429');
    const nowMs = Date.now();
    await env.DB.prepare(
      `INSERT INTO destination_health (destination, paused_at, paused_by, paused_reason, probe_at, probe_interval_s, failure_streak, updated_at)
       VALUES ('crm-probe', ?1, 'outage', 'outage: 3 failed calls in a row', ?2, 30, 3, ?1)`,
    )
      .bind(nowMs, nowMs + 30_000)
      .run();
    const id = await postLead('t-probe', { email });
    await parked(id);
    await crmScript(email, [{ status: 429, headers: { 'retry-after': '1' } }]);
    await sweepUntilActive('crm-probe', 31_000);
    const event = await waitForStatus(id, ['delivered', 'dead']);
    expect(event.status).toBe('delivered');
    expect(event.attempts.map((a) => a.http_status)).toEqual([429, 201]);
  }, 40_000);
});
