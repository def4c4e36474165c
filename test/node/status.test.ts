import { describe, expect, it } from 'vitest';
import {
  DELIVERY_STATUS_LIST,
  DELIVERY_STATUSES,
  EVENT_STATUS_LIST,
  EVENT_STATUSES,
  type EventStatus,
  FINAL_DELIVERY_STATUSES,
  FINAL_EVENT_STATUSES,
  isFinalEvent,
  sqlList,
} from '../../src/pipeline/status';

describe('event statuses', () => {
  it('lists every status, in the order of the table', () => {
    expect(EVENT_STATUS_LIST).toEqual([
      'queued',
      'routing',
      'delivering',
      'delivered',
      'partial',
      'dead',
      'invalid',
      'merged',
      'unrouted',
      'ignored',
    ]);
    expect(EVENT_STATUS_LIST).toEqual(Object.keys(EVENT_STATUSES));
  });

  it('gives every status a boolean `final` flag', () => {
    for (const status of EVENT_STATUS_LIST) expect(typeof EVENT_STATUSES[status].final).toBe('boolean');
  });

  it('derives the final set from exactly the statuses marked final', () => {
    expect(FINAL_EVENT_STATUSES).toEqual([
      'delivered',
      'partial',
      'dead',
      'invalid',
      'merged',
      'unrouted',
      'ignored',
    ]);
    expect(FINAL_EVENT_STATUSES).toEqual(EVENT_STATUS_LIST.filter((status) => EVENT_STATUSES[status].final));
    expect(EVENT_STATUS_LIST.filter((status) => !FINAL_EVENT_STATUSES.includes(status))).toEqual([
      'queued',
      'routing',
      'delivering',
    ]);
  });

  it('answers isFinalEvent from the flag', () => {
    const final = Object.fromEntries(EVENT_STATUS_LIST.map((status) => [status, isFinalEvent(status)]));
    expect(final).toEqual({
      queued: false,
      routing: false,
      delivering: false,
      delivered: true,
      partial: true,
      dead: true,
      invalid: true,
      merged: true,
      unrouted: true,
      ignored: true,
    } satisfies Record<EventStatus, boolean>);
  });
});

describe('delivery statuses', () => {
  it('lists every status, in the order of the table', () => {
    expect(DELIVERY_STATUS_LIST).toEqual(['queued', 'delivering', 'retrying', 'paused', 'delivered', 'dead']);
    expect(DELIVERY_STATUS_LIST).toEqual(Object.keys(DELIVERY_STATUSES));
  });

  it('gives every status a boolean `final` flag', () => {
    for (const status of DELIVERY_STATUS_LIST) expect(typeof DELIVERY_STATUSES[status].final).toBe('boolean');
  });

  it('derives the final set from exactly the statuses marked final; a paused delivery is not final', () => {
    expect(FINAL_DELIVERY_STATUSES).toEqual(['delivered', 'dead']);
    expect(FINAL_DELIVERY_STATUSES).toEqual(
      DELIVERY_STATUS_LIST.filter((status) => DELIVERY_STATUSES[status].final),
    );
    expect(FINAL_DELIVERY_STATUSES).not.toContain('paused');
    expect(FINAL_DELIVERY_STATUSES).not.toContain('retrying');
  });
});

describe('sqlList', () => {
  it('quotes and joins the statuses for an IN (...)', () => {
    expect(sqlList(['a'])).toBe("'a'");
    expect(sqlList(['a', 'b'])).toBe("'a', 'b'");
    expect(sqlList([])).toBe('');
    expect(sqlList(FINAL_DELIVERY_STATUSES)).toBe("'delivered', 'dead'");
    expect(sqlList(FINAL_EVENT_STATUSES)).toBe(
      "'delivered', 'partial', 'dead', 'invalid', 'merged', 'unrouted', 'ignored'",
    );
  });

  it('is only ever fed names that need no escaping', () => {
    for (const status of [...EVENT_STATUS_LIST, ...DELIVERY_STATUS_LIST]) expect(status).toMatch(/^[a-z_]+$/);
  });
});

describe('the stats triggers', () => {
  it('count as pending exactly the statuses that are not final, and know every final one as a stage', async () => {
    const { readFileSync } = await import('node:fs');
    const { FUNNEL_STAGES, PENDING_STATUSES } = await import('../../src/pipeline/status');
    const sql = readFileSync(new URL('../../migrations/0008_operator.sql', import.meta.url), 'utf8');
    const lists = [...sql.matchAll(/status IN \(([^)]*)\) THEN 'pending'/g)].map((m) => m[1]);
    expect(lists.length).toBeGreaterThanOrEqual(4);
    for (const list of lists) expect(list).toBe(sqlList(PENDING_STATUSES));
    expect(FUNNEL_STAGES).toEqual(['pending', ...FINAL_EVENT_STATUSES]);
  });
});

describe('the latency histogram', () => {
  it('has in code the bucket bounds the trigger writes', async () => {
    const { readFileSync } = await import('node:fs');
    const { LATENCY_BOUNDS_MS } = await import('../../src/lib/percentiles');
    const sql = readFileSync(new URL('../../migrations/0008_operator.sql', import.meta.url), 'utf8');
    const trigger = sql.slice(
      sql.indexOf('CREATE TRIGGER events_latency'),
      sql.indexOf('END;', sql.indexOf('CREATE TRIGGER events_latency')),
    );
    const bounds = [...trigger.matchAll(/<= (\d+) THEN (\d+)/g)].map((m) => {
      expect(m[1]).toBe(m[2]);
      return Number(m[1]);
    });
    expect(bounds).toEqual([...LATENCY_BOUNDS_MS]);
  });
});

describe("the CLI's copies of the lists", () => {
  // The CLI is plain JavaScript that runs on Node 20 without a build, so it cannot import this
  // TypeScript module: its copies are held to it here.
  it('are the lists of src/pipeline/status.ts', async () => {
    const load = (path: string): Promise<Record<string, unknown>> =>
      import(new URL(path, import.meta.url).href);
    const args = await load('../../bin/lib/args.mjs');
    const describe = await load('../../bin/lib/describe.mjs');
    expect(args.EVENT_STATUSES).toEqual(EVENT_STATUS_LIST);
    expect(args.DELIVERY_STATUSES).toEqual(DELIVERY_STATUS_LIST);
    expect(describe.FINAL_EVENT_STATUSES).toEqual(FINAL_EVENT_STATUSES);
  });
});
