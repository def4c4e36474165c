/**
 * A mock CRM on 127.0.0.1 that behaves like a real lead API: it verifies Inlet's Standard Webhooks
 * signature (with the `standardwebhooks` library, not our code), answers 401 to a bad one, applies
 * a per-window rate limit with 429 + Retry-After, and can be scripted per lead to fail in the ways
 * real CRMs fail (5xx, 4xx, 429, slow answers). Used by the workerd tests and by `npm run dev`.
 *
 * Like a CRM, it keeps records: `lead.created` always creates a new record (so a gateway that
 * creates one person twice is caught: two records for one email), `lead.updated` updates the record
 * named by `crm_record_id` (404 if there is none), or the record with that email.
 *
 * With `persistPath` (`npm run dev`), the records are loaded from that JSON file at start and saved
 * to it on every write, so a restart keeps them (a known person's `lead.updated` finds its record).
 *
 * Control API (tests only): POST /__control/script {email, responses:[{status, headers?, delayMs?}]},
 * POST /__control/rate-limit {limit, windowSeconds}, GET /__control/deliveries?email=...,
 * GET /__control/records?email=...
 *
 * With the `chaos` option (the chaos run, `npm run chaos`; never the tests), every lead request
 * that no script answers fails with probability `failureRate`, in one of five ways picked by a
 * seeded generator: 500, 503 + `Retry-After: 1`, 429 + `Retry-After: 1`, a slow answer (the lead is
 * applied, then answered after `slowMs`, longer than the gateway's timeout: the gateway cannot know
 * it landed), or a dropped connection (not applied). Faults are recorded in the deliveries with
 * `chaos` set (a dropped one with status 0). In chaos mode the CRM also behaves as a receiver that
 * honours Inlet's at-least-once contract: a repeat of a `webhook-id` it already applied answers 200
 * with that record and changes nothing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { readAll, sendJson } from './http.ts';

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
  body?: unknown;
}

export interface ReceivedDelivery {
  at: number;
  webhookId: string;
  type: string;
  status: number;
  email: string | null;
  lead: unknown;
  mergedEventIds: string[];
  /** The fault the chaos option injected into this request, if any. */
  chaos?: ChaosFault;
  /** Chaos mode only: a repeat of a webhook-id already applied, answered 200 without applying it. */
  repeat?: boolean;
}

export interface CrmRecord {
  id: string;
  email: string | null;
  lead: unknown;
  updates: number;
}

export interface MockCrmOptions {
  secret: string;
  port?: number;
  /** Print one line per lead received (for `npm run dev`). */
  print?: boolean;
  /** A JSON file the records are loaded from at start and saved to on every write. */
  persistPath?: string;
  /** Random faults for the chaos run (see the file comment). Absent: the CRM never fails on its own. */
  chaos?: ChaosOptions;
}

export interface ChaosOptions {
  /** Probability, 0 to 1, that a lead request no script answers fails. */
  failureRate: number;
  /** Seed of the generator: the same seed gives the same faults for the same order of requests. */
  seed?: number;
  /** How long a slow answer takes, in ms; keep it above the gateway's DELIVERY_TIMEOUT_MS. */
  slowMs?: number;
  /** The kinds of fault to pick from, equally likely (default: all five). */
  faults?: readonly ChaosFault[];
}

export type ChaosFault = 'http_500' | 'http_503' | 'http_429' | 'slow' | 'dropped';

export const CHAOS_FAULTS: readonly ChaosFault[] = ['http_500', 'http_503', 'http_429', 'slow', 'dropped'];

/** mulberry32: a small, fast, seedable generator of numbers in [0, 1). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MockCrm {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startMockCrm(options: MockCrmOptions): Promise<MockCrm> {
  const verifier = new Webhook(options.secret);
  const scripts = new Map<string, ScriptedResponse[]>();
  const deliveries: ReceivedDelivery[] = [];
  const records = new Map<string, CrmRecord>();
  const { persistPath } = options;
  if (persistPath && existsSync(persistPath)) {
    const saved = JSON.parse(readFileSync(persistPath, 'utf8')) as { records: CrmRecord[] };
    for (const record of saved.records) records.set(record.id, record);
  }
  const save = () => {
    if (!persistPath) return;
    mkdirSync(dirname(persistPath), { recursive: true });
    writeFileSync(persistPath, JSON.stringify({ records: [...records.values()] }, null, 2));
  };
  let rateLimit: { limit: number; windowMs: number } | undefined;
  let window = { start: 0, count: 0 };
  const chaos = options.chaos;
  const random = seeded(chaos?.seed ?? 1);
  /** Chaos mode: webhook-id → the record it was applied to. */
  const applied = new Map<string, string>();
  const pickFault = (): ChaosFault | undefined => {
    if (!chaos) return undefined;
    const roll = random();
    const which = random();
    const faults = chaos.faults?.length ? chaos.faults : CHAOS_FAULTS;
    return roll < chaos.failureRate ? faults[Math.floor(which * faults.length)] : undefined;
  };

  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const body = await readAll(request);
      if (url.pathname === '/__control/script' && request.method === 'POST') {
        const { email, responses } = JSON.parse(body) as { email: string; responses: ScriptedResponse[] };
        scripts.set(email, [...responses]);
        return sendJson(response, 204, {});
      }
      if (url.pathname === '/__control/rate-limit' && request.method === 'POST') {
        const { limit, windowSeconds } = JSON.parse(body) as { limit: number; windowSeconds: number };
        rateLimit = limit > 0 ? { limit, windowMs: windowSeconds * 1000 } : undefined;
        window = { start: 0, count: 0 };
        return sendJson(response, 204, {});
      }
      if (url.pathname === '/__control/records' && request.method === 'GET') {
        const email = url.searchParams.get('email');
        return sendJson(
          response,
          200,
          [...records.values()].filter((r) => !email || r.email === email),
        );
      }
      if (url.pathname === '/__control/deliveries' && request.method === 'GET') {
        const email = url.searchParams.get('email');
        return sendJson(response, 200, email ? deliveries.filter((d) => d.email === email) : deliveries);
      }
      if (url.pathname !== '/leads' || request.method !== 'POST')
        return sendJson(response, 404, { error: 'not_found' });

      let envelope: {
        type: string;
        data: {
          lead: { email?: string };
          person: { crm_record_id: string | null };
          merged_event_ids: string[];
        };
      };
      try {
        envelope = verifier.verify(body, {
          'webhook-id': String(request.headers['webhook-id'] ?? ''),
          'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
          'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
        }) as typeof envelope;
      } catch {
        return sendJson(response, 401, { error: 'invalid_signature' });
      }
      const email = envelope.data.lead.email ?? null;
      const webhookId = String(request.headers['webhook-id']);
      const record = (status: number, extra: Pick<ReceivedDelivery, 'chaos' | 'repeat'> = {}) =>
        deliveries.push({
          at: Date.now(),
          webhookId,
          type: envelope.type,
          status,
          email,
          lead: envelope.data.lead,
          mergedEventIds: envelope.data.merged_event_ids ?? [],
          ...extra,
        });

      const now = Date.now();
      if (rateLimit) {
        if (now - window.start >= rateLimit.windowMs) window = { start: now, count: 0 };
        if (++window.count > rateLimit.limit) {
          const retryAfter = Math.ceil((window.start + rateLimit.windowMs - now) / 1000);
          record(429);
          return sendJson(response, 429, { error: 'rate_limited' }, { 'retry-after': String(retryAfter) });
        }
      }
      const scripted = email ? scripts.get(email)?.shift() : undefined;
      if (scripted) {
        if (scripted.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
        record(scripted.status);
        return sendJson(
          response,
          scripted.status,
          scripted.body ?? { error: `scripted ${scripted.status}` },
          scripted.headers,
        );
      }
      const fault = pickFault();
      if (fault === 'dropped') {
        record(0, { chaos: fault });
        request.socket.destroy();
        return;
      }
      if (fault === 'http_500' || fault === 'http_503' || fault === 'http_429') {
        const status = Number(fault.slice(5));
        record(status, { chaos: fault });
        return sendJson(
          response,
          status,
          { error: `chaos ${status}` },
          status === 500 ? {} : { 'retry-after': '1' },
        );
      }
      const appliedTo = chaos ? applied.get(webhookId) : undefined;
      if (appliedTo) {
        record(200, { repeat: true, ...(fault ? { chaos: fault } : {}) });
        if (fault) await new Promise((resolve) => setTimeout(resolve, chaos?.slowMs ?? 2500));
        return sendJson(response, 200, { id: appliedTo, created: false, duplicate: true });
      }
      let target: CrmRecord | undefined;
      if (envelope.type === 'lead.updated') {
        const byId = envelope.data.person.crm_record_id;
        target = byId ? records.get(byId) : [...records.values()].find((r) => email && r.email === email);
        if (byId && !target) {
          record(404);
          return sendJson(response, 404, { error: 'record_not_found' });
        }
      }
      if (target) {
        target.lead = envelope.data.lead;
        target.updates++;
      } else {
        target = { id: `crm_${records.size + 1}`, email, lead: envelope.data.lead, updates: 0 };
        records.set(target.id, target);
      }
      save();
      const created = target.updates === 0;
      if (chaos) applied.set(webhookId, target.id);
      record(created ? 201 : 200, fault ? { chaos: fault } : {});
      if (options.print)
        console.log(
          `[mock-crm] ${created ? 'created' : 'updated'} ${target.id}: ${JSON.stringify(envelope.data.lead)}`,
        );
      // A slow answer: the lead is applied, but the answer comes after the gateway gave up.
      if (fault) await new Promise((resolve) => setTimeout(resolve, chaos?.slowMs ?? 2500));
      return sendJson(response, created ? 201 : 200, { id: target.id, created });
    } catch (error) {
      return sendJson(response, 500, { error: error instanceof Error ? error.name : 'error' });
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/leads`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
