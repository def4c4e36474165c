/**
 * `/admin/*`: the operator's view of events and destinations — list, read back with every delivery
 * and attempt, replay one or in bulk, see each destination's health and pause or resume it —
 * behind a bearer token (`ADMIN_TOKEN`) compared in constant time.
 */
import { Hono } from 'hono';
import * as v from 'valibot';
import { replayGroup } from '../alerts/replay';
import { config } from '../config';
import { InletError } from '../errors';
import { parsePayload, validatePayload } from '../pipeline/parse';
import { replay } from '../pipeline/replay';
import { resumeDestination } from '../pipeline/resume';
import { EVENT_STATUS_LIST } from '../pipeline/status';
import { deliveryCounts, listAttempts, listDeliveries } from '../store/deliveries';
import { getEvent, listEvents } from '../store/events';
import { healthy, pauseStatement, readHealth } from '../store/health';
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
    event_type: event.eventType,
    idempotency_key: event.idempotencyKey,
    received_at: new Date(event.receivedAt).toISOString(),
    delivered_at: event.deliveredAt === null ? null : new Date(event.deliveredAt).toISOString(),
    last_error: event.lastError,
    person_id: event.personId,
    merged_into: event.mergedInto,
    deliveries: (await listDeliveries(c.env.DB, event.id)).map((delivery) => ({
      destination: delivery.destination,
      status: delivery.status,
      attempts: delivery.attempts,
      record_id: delivery.recordId,
      last_error: delivery.lastError,
      next_attempt_at:
        delivery.nextAttemptAt === null ? null : new Date(delivery.nextAttemptAt).toISOString(),
      delivered_at: delivery.deliveredAt === null ? null : new Date(delivery.deliveredAt).toISOString(),
    })),
    attempts: await listAttempts(c.env.DB, event.id),
    lead: event.lead,
    request: { content_type: event.contentType, headers: event.headers, body: decoder.decode(event.body) },
  });
});

const ListQuerySchema = v.object({
  status: v.optional(v.picklist(EVENT_STATUS_LIST)),
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

const DestinationName = v.pipe(
  v.string(),
  v.check((name) => Object.hasOwn(config.destinations, name), 'is not a configured destination'),
);

const ReplayQuerySchema = v.object({
  destination: v.optional(DestinationName),
  /** Deliver again where it was delivered already. */
  all: v.optional(v.picklist(['true', 'false'])),
});

/**
 * Replays one event: routed again, its deliveries that did not end delivered attempted again
 * (`?destination=` for one; `?all=true` to deliver where it was delivered already).
 */
admin.post('/events/:id/replay', async (c) => {
  const id = c.req.param('id');
  const query = validatePayload(ReplayQuerySchema, c.req.query());
  if (!(await getEvent(c.env.DB, id))) throw new InletError(404, 'not_found', 'No event has this id.');
  const replayed = await replay(c.env, [id], {
    ...(query.destination ? { destination: query.destination } : {}),
    includeDelivered: query.all === 'true' || query.destination !== undefined,
  });
  return c.json({ replayed }, replayed.length ? 202 : 409);
});

/** Bulk replay: explicit ids, or every event matching a filter (dead ones after an outage, say). */
const BulkReplaySchema = v.union([
  v.object({
    ids: v.pipe(v.array(v.pipe(v.string(), v.maxLength(40))), v.minLength(1), v.maxLength(500)),
    /** Deliver again where it was delivered already. */
    all: v.optional(v.boolean()),
  }),
  v.object({
    all: v.optional(v.boolean()),
    status: v.picklist(['dead', 'partial', 'invalid', 'unrouted', 'ignored', 'delivered'] as const),
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
  // Replaying delivered events means delivering them again; otherwise what was delivered stays so.
  const replayed = await replay(c.env, ids, {
    includeDelivered: request.all === true || ('status' in request && request.status === 'delivered'),
  });
  return c.json({ replayed, count: replayed.length }, 202);
});

/** Each configured destination with its health and the deliveries waiting for it. */
admin.get('/destinations', async (c) => {
  const [health, counts] = await Promise.all([readHealth(c.env.DB), deliveryCounts(c.env.DB)]);
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return c.json({
    destinations: Object.entries(config.destinations).map(([name, entry]) => {
      const h = health.get(name) ?? healthy(name);
      return {
        name,
        type: entry.type,
        state: h.pausedAt ? 'paused' : h.holdUntil && h.holdUntil > Date.now() ? 'held' : 'active',
        paused: h.pausedAt
          ? { at: iso(h.pausedAt), by: h.pausedBy, reason: h.pausedReason, next_probe_at: iso(h.probeAt) }
          : null,
        hold_until: h.holdUntil && h.holdUntil > Date.now() ? iso(h.holdUntil) : null,
        failure_streak: h.failureStreak,
        last_success_at: iso(h.lastSuccessAt),
        last_failure_at: iso(h.lastFailureAt),
        waiting: counts.get(name) ?? {},
      };
    }),
  });
});

const destinationParam = (name: string): string => {
  if (!Object.hasOwn(config.destinations, name))
    throw new InletError(404, 'not_found', 'No destination has this name.');
  return name;
};

/** Pauses by hand: deliveries wait parked, and no probe resumes it; only a resume does. */
admin.post('/destinations/:name/pause', async (c) => {
  const name = destinationParam(c.req.param('name'));
  await pauseStatement(c.env.DB, name, 'operator', 'paused by an operator', Date.now(), null).run();
  return c.json({ destination: name, state: 'paused' });
});

/** Resumes, and sends the deliveries that waited. */
admin.post('/destinations/:name/resume', async (c) => {
  const name = destinationParam(c.req.param('name'));
  const resent = await resumeDestination(c.env, name);
  return c.json({ destination: name, state: 'active', resent });
});

/** Alert groups, newest first: what is failing now (`?status=open`) or was. */
admin.get('/alerts', async (c) => {
  const status = c.req.query('status');
  const { results } = await c.env.DB.prepare(
    `SELECT id, kind, source, destination, error_class, status, count, first_at, last_at, closed_at,
       (SELECT count(*) FROM alert_events e WHERE e.group_id = alert_groups.id) AS events
     FROM alert_groups WHERE (?1 IS NULL OR status = ?1) ORDER BY last_at DESC LIMIT 200`,
  )
    .bind(status === 'open' || status === 'closed' ? status : null)
    .all<{ first_at: number; last_at: number; closed_at: number | null }>();
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return c.json({
    alerts: results.map((row) => ({
      ...row,
      first_at: iso(row.first_at),
      last_at: iso(row.last_at),
      closed_at: iso(row.closed_at),
    })),
  });
});

/** Replays the events an alert is about: what the Slack button does, for the curl in the message. */
admin.post('/alerts/:id/replay', async (c) => {
  const result = await replayGroup(c.env, c.req.param('id'));
  if (!result.found) throw new InletError(404, 'not_found', 'No alert has this id.');
  return c.json({ replayed: result.replayed, count: result.replayed.length }, 202);
});
