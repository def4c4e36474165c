// Faults injected into the Worker's bindings, for the crash and fault tests (faults.test.ts) and the
// fuzz suite (fuzz.test.ts): a D1 that fails, or stops answering, on chosen statements; a KV and a
// queue that are down; a queue batch played by hand whose acks and retries are recorded; and what
// the Worker said (console lines, alerts) for the redaction check.
import { env } from 'cloudflare:workers';
import { vi } from 'vitest';
import { maintainAlerts } from '../../src/alerts/maintain';
import { sendAlerts } from '../../src/alerts/send';
import type { DeliveryMessage } from '../../src/pipeline/enqueue';
import * as secrets from '../secrets';
import { recordingQueue } from './helpers';

// ---- D1 --------------------------------------------------------------------------------------

export interface D1FaultOptions {
  /** How many matching calls fail before D1 answers them again; by default every one. */
  times?: number;
  /**
   * `throw`: the call rejects, as D1 does when it is unreachable. `hang`: it never answers, as a
   * call in flight when the isolate is evicted: the code after it never runs.
   */
  mode?: 'throw' | 'hang';
}

export interface FaultyD1 {
  db: D1Database;
  /** The SQL (first 80 characters) of each call that failed or hung. */
  failed: string[];
  /** Resolves when the first matching call has hung (mode `hang`). */
  hung: Promise<void>;
  /**
   * The isolate is gone for good: every hung call rejects and every later call fails, so whatever
   * the abandoned consumer still runs reaches D1 no more.
   */
  cut(): void;
}

/**
 * A D1 whose calls fail when one of their statements' SQL matches. The failure comes where D1's
 * does, when a statement runs or a batch commits, never in `prepare()`: a batch that fails commits
 * none of its statements, as a D1 batch is one transaction.
 */
export function failingD1(
  db: D1Database,
  match: (sql: string) => boolean,
  options: D1FaultOptions = {},
): FaultyD1 {
  let left = options.times ?? Number.POSITIVE_INFINITY;
  let dead = false;
  const failed: string[] = [];
  const stalled: ((error: Error) => void)[] = [];
  let reached: () => void = () => {};
  const hung = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const outage = () => new Error('D1_ERROR: Network connection lost.');
  const real = new WeakMap<object, D1PreparedStatement>();
  const sqlOf = new WeakMap<object, string>();

  /** A rejected or never-settling promise when the call fails, else undefined (D1 answers). */
  const fault = (sqls: readonly string[]): Promise<never> | undefined => {
    if (dead) return Promise.reject(outage());
    const hit = sqls.find(match);
    if (hit === undefined || left <= 0) return undefined;
    left--;
    failed.push(hit.replace(/\s+/g, ' ').trim().slice(0, 80));
    if (options.mode !== 'hang') return Promise.reject(outage());
    reached();
    return new Promise<never>((_, reject) => stalled.push(reject));
  };

  const wrap = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === 'bind') return (...values: unknown[]) => wrap(target.bind(...values), sql);
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'run' || prop === 'first' || prop === 'all' || prop === 'raw')
          return (...args: unknown[]) => fault([sql]) ?? value.apply(target, args);
        return value.bind(target);
      },
    });
    real.set(proxy, statement);
    sqlOf.set(proxy, sql);
    return proxy;
  };

  const proxy = new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrap(target.prepare(sql), sql);
      if (prop === 'batch')
        return (statements: D1PreparedStatement[]) =>
          fault(statements.map((s) => sqlOf.get(s) ?? '')) ??
          target.batch(statements.map((s) => real.get(s) ?? s));
      if (prop === 'exec') return (sql: string) => fault([sql]) ?? target.exec(sql);
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    db: proxy,
    failed,
    hung,
    cut() {
      dead = true;
      for (const reject of stalled.splice(0)) reject(outage());
    },
  };
}

/** Moves the clock past every lease an event and its deliveries hold, as 60 s going by would. */
export async function expireLeases(eventId: string): Promise<void> {
  const past = Date.now() - 1;
  await env.DB.batch([
    env.DB.prepare('UPDATE events SET lease_until = ?2 WHERE id = ?1 AND lease_until IS NOT NULL').bind(
      eventId,
      past,
    ),
    env.DB.prepare(
      'UPDATE deliveries SET lease_until = ?2 WHERE event_id = ?1 AND lease_until IS NOT NULL',
    ).bind(eventId, past),
  ]);
}

/** Makes a delivery's backoff due now, as its retry delay going by would. */
export async function dueNow(eventId: string): Promise<void> {
  await env.DB.prepare(
    'UPDATE deliveries SET next_attempt_at = ?2 WHERE event_id = ?1 AND next_attempt_at IS NOT NULL',
  )
    .bind(eventId, Date.now() - 1)
    .run();
}

// ---- KV and the queue ------------------------------------------------------------------------

/** A KV namespace that is down: every call rejects. `calls` names each one tried. */
export function unavailableKv(): { kv: KVNamespace; calls: string[] } {
  const calls: string[] = [];
  const kv = new Proxy({} as KVNamespace, {
    get:
      (_, prop) =>
      async (..._args: unknown[]) => {
        calls.push(String(prop));
        throw new Error('KV GET failed: 503 Service Unavailable');
      },
  });
  return { kv, calls };
}

/** A queue producer that is down: every send rejects. */
export function unavailableQueue(): { queue: Queue; tries: () => number } {
  let tries = 0;
  const fail = async () => {
    tries++;
    throw new Error('Queue send failed: internal error');
  };
  return { queue: { send: fail, sendBatch: fail } as unknown as Queue, tries: () => tries };
}

/** What the consumer did with each message of a hand-played batch. */
export interface PlayedBatch<Body> {
  batch: MessageBatch<Body>;
  acked: string[];
  retried: { id: string; delaySeconds: number | undefined }[];
}

/**
 * A MessageBatch as the queue hands one to the consumer, whose messages record ack() and retry():
 * the test plays the queue, so each redelivery is a step it can look at.
 */
export function messageBatch<Body = DeliveryMessage>(
  bodies: readonly Body[],
  options: { attempts?: number; queue?: string } = {},
): PlayedBatch<Body> {
  const acked: string[] = [];
  const retried: PlayedBatch<Body>['retried'] = [];
  const messages = bodies.map(
    (body, i): Message<Body> => ({
      id: `m${i}`,
      timestamp: new Date(),
      body,
      attempts: options.attempts ?? 1,
      ack: () => void acked.push(`m${i}`),
      retry: (retry?: QueueRetryOptions) =>
        void retried.push({ id: `m${i}`, delaySeconds: retry?.delaySeconds }),
    }),
  );
  const batch: MessageBatch<Body> = {
    queue: options.queue ?? 'inlet-deliveries',
    messages,
    metadata: { metrics: { backlogCount: messages.length, backlogBytes: 0 } },
    ackAll: () => {
      for (const message of messages) message.ack();
    },
    retryAll: (retry?: QueueRetryOptions) => {
      for (const message of messages) message.retry(retry);
    },
  };
  return { batch, acked, retried };
}

/**
 * An ExecutionContext for calling the Worker's handlers directly. What they leave to waitUntil
 * (counters flushed after the answer) runs on its own; a test never waits for it.
 */
export function executionContext(): ExecutionContext {
  return {
    waitUntil: (promise: Promise<unknown>) => void promise.catch(() => {}),
    passThroughOnException: () => {},
    props: {},
  } as ExecutionContext;
}

// ---- What the Worker said, for the redaction check ------------------------------------------

/** Every console line written while `captureConsole` is on, one string per call. */
export function captureConsole(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    }),
  );
  return {
    lines,
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

const CAPTURE = 'http://127.0.0.1:9/__alert-capture';

/**
 * Where a file's alerts go instead of the fake Slack and email API. Those are shared by every test
 * file, and test/workerd/alerts.test.ts counts their messages and scripts their failures, so a
 * burst of alerts from here would break it. Instead the wake-ups are recorded, never sent, and
 * `flush` runs the real sender over this file's outbox (with summaries and recoveries, at a time
 * when all are due) against an address a fetch spy answers: what the alerts would have said.
 */
export function alertSink(): { bindings: Partial<Env>; flush(nowMs: number): Promise<string[]> } {
  const wakes = recordingQueue();
  const bindings = {
    ALERTS: wakes.queue,
    ALERT_ONCALL_WEBHOOK_URL: `${CAPTURE}/slack`,
    ALERT_MAIL_URL: `${CAPTURE}/email`,
  } as unknown as Partial<Env>;
  return {
    bindings,
    async flush(nowMs) {
      const posted: string[] = [];
      const passThrough = globalThis.fetch;
      const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
        const request = new Request(input, init);
        if (!request.url.startsWith(CAPTURE)) return passThrough(request);
        posted.push(`${request.url} ${await request.text()}`);
        return request.url.endsWith('/emails') ? Response.json({ id: 'captured' }) : new Response('ok');
      });
      try {
        const alerting = { ...env, ...bindings };
        await maintainAlerts(alerting, nowMs);
        for (let round = 0; round < 20; round++) if ((await sendAlerts(alerting, nowMs)).sent === 0) break;
      } finally {
        spy.mockRestore();
      }
      return posted;
    },
  };
}

/**
 * Everything a test used that must never be written out: every secret of test/secrets.ts and every
 * credential bound from .dev.vars.example (read from the bindings, so it is what the Worker holds),
 * plus what the test adds (emails, phones, signatures). Values of a known shape (fuzz markers,
 * signatures by the thousand) are found by pattern, so a scan stays linear in the text.
 */
export class Redaction {
  private readonly needles = new Set<string>();
  private readonly patterns: { pattern: RegExp; values: Set<string> }[] = [];
  private readonly shapes: RegExp[] = [];

  constructor() {
    for (const value of Object.values(secrets)) {
      if (typeof value === 'string') this.add(value);
      else for (const part of Object.values(value)) this.add(part);
    }
    for (const [name, value] of Object.entries(env as unknown as Record<string, unknown>)) {
      if (typeof value !== 'string') continue;
      if (/SECRET|TOKEN|CLIENT_ID|WEBHOOK_URL/.test(name))
        for (const part of value.split(/\s+/)) this.add(part);
    }
  }

  /** A value, and for a `whsec_` key its base64 body, which is the key itself. */
  add(value: string): void {
    if (value.length < 6) return;
    this.needles.add(value);
    if (value.startsWith('whsec_')) this.needles.add(value.slice(6, 30));
  }

  /** A contact's email, and a phone in the forms it may be written in. */
  addPhone(phone: string): void {
    const digits = phone.replace(/\D/g, '');
    this.add(digits);
    this.add(digits.slice(-10));
    this.add(phone);
    if (digits.length >= 7) this.add(`${digits.slice(-7, -4)} ${digits.slice(-4)}`);
  }

  /** A family of values with a recognisable shape: any match of `pattern` that is one of them is a leak. */
  family(pattern: RegExp): Set<string> {
    const values = new Set<string>();
    this.patterns.push({ pattern: new RegExp(pattern.source, 'gu'), values });
    return values;
  }

  /** A shape only test values have (the fuzz markers): any match at all is a leak. */
  shape(pattern: RegExp): void {
    this.shapes.push(new RegExp(pattern.source, 'gu'));
  }

  /** Each leak found in `texts`, as `what: where`. */
  scan(texts: readonly string[]): string[] {
    const all = texts.join('\n\u0000\n');
    const hits: string[] = [];
    const around = (at: number) => all.slice(Math.max(0, at - 60), at + 60);
    for (const needle of this.needles) {
      const at = all.indexOf(needle);
      if (at >= 0) hits.push(`${needle}: ${around(at)}`);
    }
    for (const { pattern, values } of this.patterns) {
      if (values.size === 0) continue;
      for (const found of all.matchAll(pattern))
        if (values.has(found[0])) hits.push(`${found[0]}: ${around(found.index)}`);
    }
    for (const pattern of this.shapes)
      for (const found of all.matchAll(pattern)) hits.push(`${found[0]}: ${around(found.index)}`);
    return hits;
  }
}
