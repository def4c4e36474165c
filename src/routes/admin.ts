/**
 * `/admin/*`: the operator's JSON API — search events, read one with everything kept about it,
 * replay one, a list, or everything a filter matches (as a job), read the funnel, cohorts and
 * latency, erase a person, see and pause destinations — behind a bearer token (`ADMIN_TOKEN`)
 * compared in constant time. Each route is declared with its valibot schemas (./admin-schemas.ts),
 * which validate the request and generate /admin/openapi.json (./openapi.ts).
 */
import { type Context, Hono } from 'hono';
import * as v from 'valibot';
import { replayGroup } from '../alerts/replay';
import { config } from '../config';
import { InletError } from '../errors';
import { log } from '../lib/log';
import { signInFailures } from '../lib/throttle';
import { parsePayload } from '../pipeline/parse';
import { replay } from '../pipeline/replay';
import { cancelJob, getJob, listJobs, startJob } from '../pipeline/replay-jobs';
import { resumeDestination } from '../pipeline/resume';
import { deliveryCounts, listAttempts, listDeliveries } from '../store/deliveries';
import { getEvent } from '../store/events';
import { healthy, pauseStatement, readHealth } from '../store/health';
import { erasePerson } from '../store/privacy';
import { countMatching, type EventFilter, searchEvents } from '../store/search';
import { cohorts, funnel, latency, type StatsRange } from '../store/stats';
import { constantTimeEqual } from '../verify/crypto';
import * as s from './admin-schemas';
import { type ApiRoute, openApiDocument, referencePage } from './openapi';
import { answerError } from './problem';

type AdminContext = Context<{ Bindings: Env }>;
export const admin = new Hono<{ Bindings: Env }>();
export const adminRoutes: ApiRoute[] = [];
// Its own, so the dashboard calling it in-process gets problems, not bare 500s.
admin.onError(answerError);

/** The bearer check, shared with the dashboard's sign-in. */
export async function isAdminToken(env: Env, token: string): Promise<boolean> {
  // An unset ADMIN_TOKEN must not turn into "the empty token is valid".
  return Boolean(env.ADMIN_TOKEN && token && (await constantTimeEqual(token, env.ADMIN_TOKEN)));
}

/** The contract is public (it holds no data); everything else needs the token. */
const PUBLIC_PATHS = new Set(['/admin/openapi.json', '/admin/reference']);

admin.use('*', async (c, next) => {
  if (PUBLIC_PATHS.has(c.req.path)) return next();
  const header = c.req.header('authorization') ?? '';
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  // Production always has the client's address; only then is there something to throttle by.
  const address = c.req.header('cf-connecting-ip');
  const wait = address ? signInFailures.retryAfter(address, Date.now()) : 0;
  if (wait > 0)
    throw new InletError(
      429,
      'too_many_requests',
      'Too many wrong tokens from this address; try later.',
      undefined,
      {
        'retry-after': String(wait),
      },
    );
  if (!(await isAdminToken(c.env, token))) {
    if (address) signInFailures.fail(address, Date.now());
    throw new InletError(401, 'unauthorized', 'A valid admin bearer token is required.', undefined, {
      'www-authenticate': 'Bearer realm="inlet-admin"',
    });
  }
  await next();
});

/** Our schemas' messages quote no value, so they are shown as they are. */
function check<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  throw new InletError(
    400,
    'invalid_request',
    'The request is not valid; see issues.',
    result.issues.slice(0, 20).map((issue) => ({
      path: v.getDotPath(issue) ?? '',
      // valibot's own messages end "but received <the value>": only the expectation is kept.
      message: issue.message.includes('but received')
        ? `Invalid ${issue.type}${issue.expected ? `: expected ${issue.expected}` : ''}`
        : issue.message,
    })),
  );
}

async function jsonBody(c: AdminContext): Promise<unknown> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length === 0) return {};
  return parsePayload(c.req.header('content-type') ?? 'application/json', bytes);
}

interface Spec<Q extends v.GenericSchema | undefined, B extends v.GenericSchema | undefined> {
  summary: string;
  description?: string;
  tag: string;
  query?: Q;
  body?: B;
  answers: Record<number, { description: string; schema?: v.GenericSchema }>;
}

type In<S> = S extends v.GenericSchema ? v.InferOutput<S> : undefined;

/** Registers a route with its contract: the handler gets the validated query and body. */
function route<
  Q extends v.GenericSchema | undefined = undefined,
  B extends v.GenericSchema | undefined = undefined,
>(
  method: 'get' | 'post',
  path: string,
  spec: Spec<Q, B>,
  handler: (c: AdminContext, input: { query: In<Q>; body: In<B> }) => Promise<Response>,
): void {
  adminRoutes.push({ method, path, ...spec } as ApiRoute);
  admin[method](path, async (c) => {
    const query = (spec.query ? check(spec.query, c.req.query()) : undefined) as In<Q>;
    const body = (spec.body ? check(spec.body, await jsonBody(c)) : undefined) as In<B>;
    return handler(c, { query, body });
  });
}

const param = (c: AdminContext, name: string): string => c.req.param(name) ?? '';
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const problem = { schema: s.ProblemSchema };
const notFound = { description: 'No such event, job or destination.', ...problem };
const invalid = { description: 'The query or body is not valid (code invalid_request).', ...problem };

/** The API's filter (query names, ISO times) as the store's. */
export function toFilter(query: s.EventFilterInput): EventFilter {
  return {
    status: query.status,
    source: query.source,
    destination: query.destination,
    deliveryStatus: query.delivery_status,
    errorClass: query.error_class,
    campaign: query.campaign,
    eventType: query.event_type,
    email: query.email,
    phone: query.phone,
    fromMs: query.from === undefined ? undefined : Date.parse(query.from),
    toMs: query.to === undefined ? undefined : Date.parse(query.to),
  };
}

// Cursors are opaque: today the last id of the page, tomorrow anything.
const encodeCursor = (id: string) => btoa(id).replaceAll('=', '');
function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const id = atob(cursor);
    if (/^[a-z]{3}_[0-9A-Z]{26}$/.test(id)) return id;
  } catch {}
  throw new InletError(400, 'invalid_request', 'The cursor is not one this API gave.', [
    { path: 'cursor', message: 'unknown cursor' },
  ]);
}

// --- events --------------------------------------------------------------------------------------

route(
  'get',
  '/events',
  {
    tag: 'Events',
    summary: 'Search events',
    description:
      'Newest first. Filters combine with AND; a person is found by email or phone through the stored hashes.',
    query: s.SearchQuery,
    answers: { 200: { description: 'A page of events.', schema: s.EventListSchema }, 400: invalid },
  },
  async (c, { query }) => {
    const { limit, cursor, total, ...filter } = query;
    const [events, matching] = await Promise.all([
      searchEvents(c.env.DB, toFilter(filter), { before: decodeCursor(cursor) }, limit),
      total === 'true' ? countMatching(c.env.DB, toFilter(filter)) : undefined,
    ]);
    const last = events.at(-1);
    return c.json({
      events,
      next_cursor: events.length === limit && last ? encodeCursor(last.id) : null,
      ...(matching ? { total: matching.count } : {}),
    });
  },
);

const decoder = new TextDecoder();

route(
  'get',
  '/events/:id',
  {
    tag: 'Events',
    summary: 'One event, with its request, lead before and after normalisation, deliveries and attempts',
    answers: { 200: { description: 'The event.', schema: s.EventDetailSchema }, 404: notFound },
  },
  async (c) => {
    const event = await getEvent(c.env.DB, param(c, 'id'));
    if (!event) throw new InletError(404, 'not_found', 'No event has this id.');
    const [deliveries, attempts] = await Promise.all([
      listDeliveries(c.env.DB, event.id),
      listAttempts(c.env.DB, event.id),
    ]);
    const lead = event.lead as { normalizer_version?: string } | null;
    return c.json({
      id: event.id,
      source: event.source,
      status: event.status,
      event_type: event.eventType,
      campaign: event.campaign,
      idempotency_key: event.idempotencyKey,
      received_at: new Date(event.receivedAt).toISOString(),
      delivered_at: iso(event.deliveredAt),
      last_error: event.lastError,
      person_id: event.personId,
      merged_into: event.mergedInto,
      normalizer_version: lead?.normalizer_version ?? null,
      purged_at: iso(event.purgedAt),
      request:
        event.purgedAt === null
          ? { content_type: event.contentType, headers: event.headers, body: decoder.decode(event.body) }
          : null,
      lead_before: event.leadInput ?? null,
      lead: event.lead ?? null,
      deliveries: deliveries.map((delivery) => ({
        destination: delivery.destination,
        status: delivery.status,
        attempts: delivery.attempts,
        record_id: delivery.recordId,
        last_error: delivery.lastError,
        next_attempt_at: iso(delivery.nextAttemptAt),
        delivered_at: iso(delivery.deliveredAt),
      })),
      attempts,
    });
  },
);

route(
  'post',
  '/events/:id/replay',
  {
    tag: 'Replay',
    summary: 'Replay one event',
    description:
      "Routes it again with today's configuration and attempts its deliveries that did not end delivered; `destination` replays that one (even if delivered); `all=true` delivers again where it was delivered.",
    query: s.ReplayQuery,
    answers: {
      202: { description: 'Replayed.', schema: s.ReplayedSchema },
      404: notFound,
      409: { description: 'A consumer holds the event right now; try again in a moment.', ...problem },
    },
  },
  async (c, { query }) => {
    const id = param(c, 'id');
    if (!(await getEvent(c.env.DB, id))) throw new InletError(404, 'not_found', 'No event has this id.');
    const replayed = await replay(c.env, [id], {
      ...(query.destination ? { destination: query.destination } : {}),
      includeDelivered: query.all === 'true' || query.destination !== undefined,
    });
    if (replayed.length === 0)
      throw new InletError(
        409,
        'conflict',
        'A consumer is handling this event right now; replay it in a moment.',
      );
    log.info('replay', { event_id: id, destination: query.destination ?? null });
    return c.json({ replayed, count: replayed.length }, 202);
  },
);

route(
  'post',
  '/replay',
  {
    tag: 'Replay',
    summary: 'Replay up to 500 events by id',
    body: s.ReplayIdsBody,
    answers: { 202: { description: 'Replayed.', schema: s.ReplayedSchema }, 400: invalid },
  },
  async (c, { body }) => {
    const replayed = await replay(c.env, body.ids, { includeDelivered: body.all });
    return c.json({ replayed, count: replayed.length }, 202);
  },
);

// --- bulk replay jobs ----------------------------------------------------------------------------

route(
  'post',
  '/replay-jobs',
  {
    tag: 'Replay',
    summary: 'Replay everything a filter matches, as a job',
    description:
      'Covers the events that matched when it started, in chunks through the queue, each at most once. Send an `Idempotency-Key` header to make a retried request answer the first job instead of starting another.',
    body: s.ReplayJobBody,
    answers: {
      202: { description: 'Started.', schema: s.JobAnswerSchema },
      200: { description: 'The job this Idempotency-Key started before.', schema: s.JobAnswerSchema },
      400: invalid,
    },
  },
  async (c, { body }) => {
    const key = c.req.header('idempotency-key');
    if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key))
      throw new InletError(400, 'invalid_request', 'Idempotency-Key must be 1–200 visible ASCII characters.');
    const { job, created } = await startJob(c.env, {
      filter: toFilter(body.filter),
      includeDelivered: body.all,
      destination: body.destination,
      idempotencyKey: key,
    });
    if (created) log.info('replay job started', { job_id: job.id, matched: job.matched });
    return c.json({ job: { ...job, filter: body.filter } }, created ? 202 : 200);
  },
);

route(
  'get',
  '/replay-jobs',
  {
    tag: 'Replay',
    summary: 'Replay jobs, newest first',
    query: s.PageQuery,
    answers: { 200: { description: 'A page of jobs.', schema: s.JobListSchema } },
  },
  async (c, { query }) => {
    const jobs = await listJobs(c.env.DB, decodeCursor(query.cursor), query.limit);
    const last = jobs.at(-1);
    return c.json({
      jobs: jobs.map(publicJob),
      next_cursor: jobs.length === query.limit && last ? encodeCursor(last.id) : null,
    });
  },
);

/** A job's filter as the API takes it (times back to ISO), so it can be sent again as it is. */
function publicJob(job: Awaited<ReturnType<typeof getJob>> & {}) {
  const { fromMs, toMs, deliveryStatus, errorClass, eventType, ...rest } = job.filter;
  const filter = Object.fromEntries(
    Object.entries({
      ...rest,
      delivery_status: deliveryStatus,
      error_class: errorClass,
      event_type: eventType,
      from: fromMs === undefined ? undefined : new Date(fromMs).toISOString(),
      to: toMs === undefined ? undefined : new Date(toMs).toISOString(),
    }).filter(([, value]) => value !== undefined && value !== null),
  );
  return { ...job, filter };
}

route(
  'get',
  '/replay-jobs/:id',
  {
    tag: 'Replay',
    summary: "A replay job's progress",
    answers: { 200: { description: 'The job.', schema: s.JobAnswerSchema }, 404: notFound },
  },
  async (c) => {
    const job = await getJob(c.env.DB, param(c, 'id'));
    if (!job) throw new InletError(404, 'not_found', 'No replay job has this id.');
    return c.json({ job: publicJob(job) });
  },
);

route(
  'post',
  '/replay-jobs/:id/cancel',
  {
    tag: 'Replay',
    summary: 'Cancel a replay job',
    description: 'A chunk under way finishes; no later chunk starts. A finished job stays as it ended.',
    answers: { 200: { description: 'The job.', schema: s.JobAnswerSchema }, 404: notFound },
  },
  async (c) => {
    const job = await cancelJob(c.env.DB, param(c, 'id'));
    if (!job) throw new InletError(404, 'not_found', 'No replay job has this id.');
    return c.json({ job: publicJob(job) });
  },
);

// --- stats ---------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `from` inclusive, `to` exclusive, by UTC day; the last 30 days by default. */
function statsRange(query: v.InferOutput<typeof s.StatsQuery>): StatsRange {
  const to = query.to === undefined ? day(Date.now() + DAY_MS) : day(Date.parse(query.to));
  const from = query.from === undefined ? day(Date.parse(to) - 30 * DAY_MS) : day(Date.parse(query.from));
  return { from, to, source: query.source, campaign: query.campaign };
}

route(
  'get',
  '/stats/funnel',
  {
    tag: 'Stats',
    summary: 'The funnel per day, source and campaign',
    description:
      '`received` counts every stored event; the stages split it; `rejected` counts requests refused before an event was stored, by reason.',
    query: s.StatsQuery,
    answers: { 200: { description: 'The funnel.', schema: s.FunnelSchema }, 400: invalid },
  },
  async (c, { query }) => {
    const range = statsRange(query);
    return c.json({ from: range.from, to: range.to, ...(await funnel(c.env.DB, range)) });
  },
);

route(
  'get',
  '/stats/cohorts',
  {
    tag: 'Stats',
    summary: 'Weekly cohorts of new people by the source and campaign of their first lead',
    query: s.StatsQuery,
    answers: { 200: { description: 'The cohorts.', schema: s.CohortsSchema }, 400: invalid },
  },
  async (c, { query }) => {
    const range = statsRange(query);
    return c.json({ from: range.from, to: range.to, cohorts: await cohorts(c.env.DB, range) });
  },
);

route(
  'get',
  '/stats/latency',
  {
    tag: 'Stats',
    summary: 'Ingest-to-delivered latency percentiles',
    description: 'Of events first delivered in the range; a percentile is the upper bound of its bucket.',
    query: s.StatsQuery,
    answers: {
      200: { description: 'The percentiles and histogram.', schema: s.LatencySchema },
      400: invalid,
    },
  },
  async (c, { query }) => {
    const range = statsRange(query);
    return c.json({ from: range.from, to: range.to, ...(await latency(c.env.DB, range)) });
  },
);

// --- people --------------------------------------------------------------------------------------

route(
  'post',
  '/erase',
  {
    tag: 'People',
    summary: 'Erase a person',
    description:
      'Deletes the person found by email or phone and everything held about them: events, leads, deliveries, attempts, CRM record links, alert samples. The stats counts stay. Harmless to repeat. With `dry_run: true`, answers what it would delete and deletes nothing.',
    body: s.EraseBody,
    answers: { 200: { description: 'What was deleted.', schema: s.ErasedSchema }, 400: invalid },
  },
  async (c, { body }) => {
    const erased = await erasePerson(
      c.env.DB,
      {
        ...(body.email === undefined ? {} : { email: body.email }),
        ...(body.phone === undefined ? {} : { phone: body.phone }),
      },
      { dryRun: body.dry_run },
    );
    if (!body.dry_run) log.info('erasure', { people: erased.people, events: erased.deleted.events });
    return c.json(erased);
  },
);

// --- destinations --------------------------------------------------------------------------------

route(
  'get',
  '/destinations',
  {
    tag: 'Destinations',
    summary: 'Each destination with its health and the deliveries waiting for it',
    answers: { 200: { description: 'The destinations.', schema: s.DestinationsSchema } },
  },
  async (c) => {
    const [health, counts] = await Promise.all([readHealth(c.env.DB), deliveryCounts(c.env.DB)]);
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
  },
);

const destinationParam = (name: string): string => {
  if (!Object.hasOwn(config.destinations, name))
    throw new InletError(404, 'not_found', 'No destination has this name.');
  return name;
};

route(
  'post',
  '/destinations/:name/pause',
  {
    tag: 'Destinations',
    summary: 'Pause a destination',
    description: 'Deliveries wait parked, using up no attempt, and no probe resumes it: only a resume does.',
    answers: { 200: { description: 'Paused.', schema: s.DestinationStateSchema }, 404: notFound },
  },
  async (c) => {
    const name = destinationParam(param(c, 'name'));
    await pauseStatement(c.env.DB, name, 'operator', 'paused by an operator', Date.now(), null).run();
    log.info('destination paused by an operator', { destination: name });
    return c.json({ destination: name, state: 'paused' });
  },
);

route(
  'post',
  '/destinations/:name/resume',
  {
    tag: 'Destinations',
    summary: 'Resume a destination, sending the deliveries that waited',
    answers: { 200: { description: 'Resumed.', schema: s.DestinationStateSchema }, 404: notFound },
  },
  async (c) => {
    const name = destinationParam(param(c, 'name'));
    const resent = await resumeDestination(c.env, name);
    log.info('destination resumed by an operator', { destination: name, resent });
    return c.json({ destination: name, state: 'active', resent });
  },
);

// --- alerts --------------------------------------------------------------------------------------

route(
  'get',
  '/alerts',
  {
    tag: 'Alerts',
    summary: 'Alert groups, newest first',
    query: s.AlertsQuery,
    answers: { 200: { description: 'The alert groups.', schema: s.AlertsSchema } },
  },
  async (c, { query }) => {
    const { results } = await c.env.DB.prepare(
      `SELECT id, kind, source, destination, error_class, status, count, first_at, last_at, closed_at,
         (SELECT count(*) FROM alert_events e WHERE e.group_id = alert_groups.id) AS events
       FROM alert_groups WHERE (?1 IS NULL OR status = ?1) ORDER BY last_at DESC LIMIT 200`,
    )
      .bind(query.status ?? null)
      .all<{ first_at: number; last_at: number; closed_at: number | null }>();
    return c.json({
      alerts: results.map((row) => ({
        ...row,
        first_at: iso(row.first_at),
        last_at: iso(row.last_at),
        closed_at: iso(row.closed_at),
      })),
    });
  },
);

route(
  'post',
  '/alerts/:id/replay',
  {
    tag: 'Alerts',
    summary: "Replay the events an alert is about (the Slack button's action)",
    answers: { 202: { description: 'Replayed.', schema: s.ReplayedSchema }, 404: notFound },
  },
  async (c) => {
    const result = await replayGroup(c.env, param(c, 'id'));
    if (!result.found) throw new InletError(404, 'not_found', 'No alert has this id.');
    return c.json({ replayed: result.replayed, count: result.replayed.length }, 202);
  },
);

// --- the contract itself -------------------------------------------------------------------------

admin.get('/openapi.json', (c) => c.json(openApiDocument(adminRoutes, new URL(c.req.url).origin)));
admin.get('/reference', (c) => c.html(referencePage()));
