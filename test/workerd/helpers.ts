import { env, exports } from 'cloudflare:workers';
import { Webhook } from 'standardwebhooks';
import { inject } from 'vitest';
import { newId } from '../../src/lib/ids';
import { insertEvent } from '../../src/store/events';
import '../provided';
import { TEST_ADMIN_TOKEN, TEST_DEMO_SECRET } from '../secrets';

export const BASE = 'https://inlet.test';

export const call = (path: string, init?: RequestInit): Promise<Response> =>
  exports.default.fetch(new Request(`${BASE}${path}`, init));

let counter = 0;
/** A unique email per test: storage is shared within a file, and the CRM across files. */
export const uniqueEmail = (label: string) => `${label.toLowerCase()}.${Date.now()}.${++counter}@example.com`;

/** Signs with the standardwebhooks library itself, as a real sender would. */
export function signDemo(body: string, options: { id?: string; secret?: string; atSeconds?: number } = {}) {
  const id = options.id ?? `msg_${crypto.randomUUID()}`;
  const at = new Date((options.atSeconds ?? Math.floor(Date.now() / 1000)) * 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(options.secret ?? TEST_DEMO_SECRET).sign(id, at, body),
  };
}

export function postDemo(
  lead: Record<string, unknown>,
  options: Parameters<typeof signDemo>[1] & { source?: string } = {},
) {
  const body = JSON.stringify(lead);
  return call(`/in/${options.source ?? 'demo'}`, { method: 'POST', headers: signDemo(body, options), body });
}

/** Posts to a test source (test/inlet.config.ts: each signs like demo) and answers the event id. */
export async function postLead(source: string, lead: Record<string, unknown>): Promise<string> {
  const response = await postDemo(lead, { source });
  if (response.status !== 202) throw new Error(`ingest answered ${response.status}`);
  return (await response.json<{ id: string }>()).id;
}

export const adminGet = (path: string) =>
  call(path, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });

export interface DeliveryView {
  destination: string;
  status: string;
  attempts: number;
  record_id: string | null;
  last_error: string | null;
  next_attempt_at: string | null;
}

export interface EventView {
  id: string;
  status: string;
  deliveries: DeliveryView[];
  attempts: {
    destination: string;
    attempt: number;
    http_status: number | null;
    error_class: string;
    started_at: string;
    retry_in_s: number | null;
  }[];
  lead: Record<string, unknown> | null;
  last_error: string | null;
}

export async function readEvent(id: string): Promise<EventView> {
  const response = await adminGet(`/admin/events/${id}`);
  if (response.status !== 200) throw new Error(`admin read ${response.status}`);
  return response.json();
}

/** Polls until the event reaches one of `statuses` (the real queue delivers asynchronously). */
export async function waitForStatus(id: string, statuses: string[], timeoutMs = 20_000): Promise<EventView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const event = await readEvent(id);
    if (statuses.includes(event.status)) return event;
    if (Date.now() > deadline) throw new Error(`event ${id} stuck in ${event.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls until `ready` holds for the event's admin view. */
export async function waitForEvent(
  id: string,
  ready: (event: EventView) => boolean,
  timeoutMs = 20_000,
): Promise<EventView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const event = await readEvent(id);
    if (ready(event)) return event;
    if (Date.now() > deadline)
      throw new Error(`event ${id} never got there: ${JSON.stringify(event.deliveries)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The event's delivery to one destination. */
export const deliveryOf = (event: EventView, destination: string): DeliveryView | undefined =>
  event.deliveries.find((delivery) => delivery.destination === destination);

/** A fake CRM's control API (test/servers/*.ts): records, requests, scripts, tokens. */
export function fake(kind: 'hubspot' | 'pipedrive' | 'salesforce') {
  const base = () => inject(`${kind}Url`);
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${base()}/__control/${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${kind} control ${path}: ${response.status}`);
  };
  return {
    records: async (query: {
      email?: string;
      phone?: string;
    }): Promise<{ id: string; [key: string]: unknown }[]> =>
      (
        await fetch(`${base()}/__control/records?${new URLSearchParams(query as Record<string, string>)}`)
      ).json(),
    requests: async (): Promise<{ method: string; path: string; status: number; at: number }[]> =>
      (await fetch(`${base()}/__control/requests`)).json(),
    script: (target: { email?: string; phone?: string }, responses: unknown[]) =>
      post('script', { ...target, responses }),
    token: (token: string, valid: boolean) => post('tokens', { token, valid }),
    post,
  };
}

const crmBase = () => inject('crmUrl').replace(/\/leads$/, '');

export interface CrmDelivery {
  at: number;
  webhookId: string;
  type: 'lead.created' | 'lead.updated';
  mergedEventIds: string[];
  status: number;
  email: string | null;
  lead: Record<string, unknown>;
}

export async function crmScript(
  email: string,
  responses: { status: number; headers?: Record<string, string>; delayMs?: number }[],
) {
  const response = await fetch(`${crmBase()}/__control/script`, {
    method: 'POST',
    body: JSON.stringify({ email, responses }),
  });
  if (!response.ok) throw new Error('crm script failed');
}

export async function crmDeliveries(email: string): Promise<CrmDelivery[]> {
  return (await fetch(`${crmBase()}/__control/deliveries?email=${encodeURIComponent(email)}`)).json();
}

export { env };

/**
 * A queue that records what the consumer re-sends instead of sending it, for direct consumer tests
 * that must not leave a message behind for the real consumer.
 */
export function recordingQueue(): {
  queue: Queue;
  sent: { body: unknown; delaySeconds: number | undefined }[];
} {
  const sent: { body: unknown; delaySeconds: number | undefined }[] = [];
  const queue = {
    async send(body: unknown, options?: QueueSendOptions) {
      sent.push({ body, delaySeconds: options?.delaySeconds });
    },
    async sendBatch(messages: Iterable<MessageSendRequest>) {
      for (const m of messages) sent.push({ body: m.body, delaySeconds: m.delaySeconds });
    },
  } as unknown as Queue;
  return { queue, sent };
}

/** Stores a lead as the edge would (uncounted, nothing enqueued), for a consumer batch run by hand. */
export async function storeLead(
  lead: Record<string, unknown>,
  source = 'demo',
  receivedAt = Date.now(),
): Promise<string> {
  const result = await insertEvent(env.DB, {
    id: newId('evt', receivedAt),
    source,
    idempotencyKey: `test:${crypto.randomUUID()}`,
    receivedAt,
    contentType: 'application/json',
    headers: {},
    body: new TextEncoder().encode(JSON.stringify(lead)),
  });
  return result.id;
}

/**
 * `db` with every round trip (a statement's first, run, all or raw; a batch) made through `around`:
 * to count them, or to delay them as a distant D1 would.
 */
export function aroundD1(db: D1Database, around: <T>(roundTrip: () => Promise<T>) => Promise<T>): D1Database {
  const statement = (s: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(s, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== 'function') return value;
        if (prop === 'bind') return (...args: unknown[]) => statement(value.apply(target, args));
        if (prop === 'first' || prop === 'run' || prop === 'all' || prop === 'raw')
          return (...args: unknown[]) => around(() => value.apply(target, args));
        return value.bind(target);
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => statement(target.prepare(sql));
      if (prop === 'batch')
        return (statements: D1PreparedStatement[]) => around(() => target.batch(statements));
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
