/**
 * `/admin/*`: the operator's view of events — list, read back, replay one or in bulk — behind a
 * bearer token (`ADMIN_TOKEN`) compared in constant time.
 */
import { Hono } from 'hono';
import * as v from 'valibot';
import { InletError } from '../errors';
import { parsePayload, validatePayload } from '../pipeline/parse';
import { replay } from '../pipeline/replay';
import { type EventStatus, getEvent, listAttempts, listEvents } from '../store/events';
import { constantTimeEqual } from '../verify/crypto';

export const admin = new Hono<{ Bindings: Env }>();

admin.use('*', async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  // An unset ADMIN_TOKEN must not turn into "the empty token is valid".
  if (!c.env.ADMIN_TOKEN || !token || !(await constantTimeEqual(token, c.env.ADMIN_TOKEN))) {
    throw new InletError(401, 'unauthorized', 'A valid admin bearer token is required.', undefined, {
      'www-authenticate': 'Bearer realm="inlet-admin"',
    });
  }
  await next();
});

const decoder = new TextDecoder();

admin.get('/events/:id', async (c) => {
  const event = await getEvent(c.env.DB, c.req.param('id'));
  if (!event) throw new InletError(404, 'not_found', 'No event has this id.');
  return c.json({
    id: event.id,
    source: event.source,
    status: event.status,
    idempotency_key: event.idempotencyKey,
    received_at: new Date(event.receivedAt).toISOString(),
    delivered_at: event.deliveredAt === null ? null : new Date(event.deliveredAt).toISOString(),
    last_error: event.lastError,
    person_id: event.personId,
    merged_into: event.mergedInto,
    attempt_count: event.attempts,
    attempts: await listAttempts(c.env.DB, event.id),
    lead: event.lead,
    request: { content_type: event.contentType, headers: event.headers, body: decoder.decode(event.body) },
  });
});

const STATUSES = [
  'queued',
  'delivering',
  'retrying',
  'delivered',
  'dead',
  'invalid',
] as const satisfies readonly EventStatus[];

const ListQuerySchema = v.object({
  status: v.optional(v.picklist(STATUSES)),
  source: v.optional(v.pipe(v.string(), v.maxLength(100))),
  before: v.optional(v.pipe(v.string(), v.maxLength(40))),
  limit: v.optional(v.pipe(v.string(), v.toNumber(), v.integer(), v.minValue(1), v.maxValue(500)), '50'),
});

admin.get('/events', async (c) => {
  const query = validatePayload(ListQuerySchema, c.req.query());
  const events = await listEvents(c.env.DB, {
    limit: query.limit,
    ...(query.status ? { status: query.status } : {}),
    ...(query.source ? { source: query.source } : {}),
    ...(query.before ? { before: query.before } : {}),
  });
  const last = events.at(-1);
  return c.json({ events, next: events.length === query.limit && last ? last.id : null });
});

admin.post('/events/:id/replay', async (c) => {
  const id = c.req.param('id');
  if (!(await getEvent(c.env.DB, id))) throw new InletError(404, 'not_found', 'No event has this id.');
  const replayed = await replay(c.env, [id]);
  return c.json({ replayed }, replayed.length ? 202 : 409);
});

/** Bulk replay: explicit ids, or every event matching a filter (dead ones after an outage, say). */
const BulkReplaySchema = v.union([
  v.object({ ids: v.pipe(v.array(v.pipe(v.string(), v.maxLength(40))), v.minLength(1), v.maxLength(500)) }),
  v.object({
    status: v.picklist(['dead', 'invalid', 'delivered'] as const),
    source: v.optional(v.pipe(v.string(), v.maxLength(100))),
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500)), 100),
  }),
]);

admin.post('/replay', async (c) => {
  const raw = await parsePayload(
    c.req.header('content-type') ?? 'application/json',
    new Uint8Array(await c.req.arrayBuffer()),
  );
  const request = validatePayload(BulkReplaySchema, raw);
  const ids =
    'ids' in request
      ? request.ids
      : (
          await listEvents(c.env.DB, {
            status: request.status,
            limit: request.limit,
            ...(request.source ? { source: request.source } : {}),
          })
        ).map((event) => event.id);
  const replayed = await replay(c.env, ids);
  return c.json({ replayed, count: replayed.length }, 202);
});
