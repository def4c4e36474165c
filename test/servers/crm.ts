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
 * Control API (tests only): POST /__control/script {email, responses:[{status, headers?, delayMs?}]},
 * POST /__control/rate-limit {limit, windowSeconds}, GET /__control/deliveries?email=...,
 * GET /__control/records?email=...
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

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
}

export interface MockCrm {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const readAll = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const send = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
};

export async function startMockCrm(options: MockCrmOptions): Promise<MockCrm> {
  const verifier = new Webhook(options.secret);
  const scripts = new Map<string, ScriptedResponse[]>();
  const deliveries: ReceivedDelivery[] = [];
  const records = new Map<string, CrmRecord>();
  let rateLimit: { limit: number; windowMs: number } | undefined;
  let window = { start: 0, count: 0 };

  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const body = await readAll(request);
      if (url.pathname === '/__control/script' && request.method === 'POST') {
        const { email, responses } = JSON.parse(body) as { email: string; responses: ScriptedResponse[] };
        scripts.set(email, [...responses]);
        return send(response, 204, {});
      }
      if (url.pathname === '/__control/rate-limit' && request.method === 'POST') {
        const { limit, windowSeconds } = JSON.parse(body) as { limit: number; windowSeconds: number };
        rateLimit = limit > 0 ? { limit, windowMs: windowSeconds * 1000 } : undefined;
        window = { start: 0, count: 0 };
        return send(response, 204, {});
      }
      if (url.pathname === '/__control/records' && request.method === 'GET') {
        const email = url.searchParams.get('email');
        return send(
          response,
          200,
          [...records.values()].filter((r) => !email || r.email === email),
        );
      }
      if (url.pathname === '/__control/deliveries' && request.method === 'GET') {
        const email = url.searchParams.get('email');
        return send(response, 200, email ? deliveries.filter((d) => d.email === email) : deliveries);
      }
      if (url.pathname !== '/leads' || request.method !== 'POST')
        return send(response, 404, { error: 'not_found' });

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
        return send(response, 401, { error: 'invalid_signature' });
      }
      const email = envelope.data.lead.email ?? null;
      const record = (status: number) =>
        deliveries.push({
          at: Date.now(),
          webhookId: String(request.headers['webhook-id']),
          type: envelope.type,
          status,
          email,
          lead: envelope.data.lead,
          mergedEventIds: envelope.data.merged_event_ids ?? [],
        });

      const now = Date.now();
      if (rateLimit) {
        if (now - window.start >= rateLimit.windowMs) window = { start: now, count: 0 };
        if (++window.count > rateLimit.limit) {
          const retryAfter = Math.ceil((window.start + rateLimit.windowMs - now) / 1000);
          record(429);
          return send(response, 429, { error: 'rate_limited' }, { 'retry-after': String(retryAfter) });
        }
      }
      const scripted = email ? scripts.get(email)?.shift() : undefined;
      if (scripted) {
        if (scripted.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
        record(scripted.status);
        return send(
          response,
          scripted.status,
          scripted.body ?? { error: `scripted ${scripted.status}` },
          scripted.headers,
        );
      }
      let target: CrmRecord | undefined;
      if (envelope.type === 'lead.updated') {
        const byId = envelope.data.person.crm_record_id;
        target = byId ? records.get(byId) : [...records.values()].find((r) => email && r.email === email);
        if (byId && !target) {
          record(404);
          return send(response, 404, { error: 'record_not_found' });
        }
      }
      if (target) {
        target.lead = envelope.data.lead;
        target.updates++;
      } else {
        target = { id: `crm_${records.size + 1}`, email, lead: envelope.data.lead, updates: 0 };
        records.set(target.id, target);
      }
      const created = target.updates === 0;
      record(created ? 201 : 200);
      if (options.print)
        console.log(
          `[mock-crm] ${created ? 'created' : 'updated'} ${target.id}: ${JSON.stringify(envelope.data.lead)}`,
        );
      return send(response, created ? 201 : 200, { id: target.id, created });
    } catch (error) {
      return send(response, 500, { error: error instanceof Error ? error.name : 'error' });
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
