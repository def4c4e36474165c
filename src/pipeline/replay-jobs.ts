/**
 * Bulk replay of everything a filter matches, any size: a job row in D1 and one queue message per
 * chunk. Each chunk requeues its events and moves the job's cursor in one D1 transaction whose
 * statements all hold only while the cursor is where the chunk began, so a chunk message delivered
 * twice (queues deliver at least once) replays nothing twice, and a lost message is picked up by
 * the sweep. The job covers the events that matched when it started, never later arrivals.
 */
import { newId } from '../lib/ids';
import { log } from '../lib/log';
import { type ReplayGuard, requeueDeliveryStatements } from '../store/deliveries';
import { requeueEventStatements } from '../store/events';
import { countMatching, type EventFilter, matchingIds } from '../store/search';
import { enqueue } from './enqueue';

export const CHUNK_SIZE = 50;
/** A running job whose cursor has not moved for this long lost its message: the sweep resends it. */
export const STALLED_AFTER_MS = 60_000;

export type JobStatus = 'running' | 'done' | 'canceled';

export interface ReplayJobMessage {
  job: string;
}

export interface JobRequest {
  filter: EventFilter;
  includeDelivered: boolean;
  destination?: string | undefined;
  idempotencyKey?: string | undefined;
}

export interface ReplayJob {
  id: string;
  status: JobStatus;
  filter: EventFilter;
  all: boolean;
  destination: string | null;
  matched: number;
  replayed: number;
  skipped: number;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

interface JobRow {
  id: string;
  idempotency_key: string | null;
  status: JobStatus;
  filter: string;
  include_delivered: number;
  destination: string | null;
  upto_id: string;
  after_id: string;
  matched: number;
  replayed: number;
  skipped: number;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

function toJob(row: JobRow): ReplayJob {
  return {
    id: row.id,
    status: row.status,
    filter: JSON.parse(row.filter) as EventFilter,
    all: row.include_delivered === 1,
    destination: row.destination,
    matched: row.matched,
    replayed: row.replayed,
    skipped: row.skipped,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    finished_at: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
  };
}

/** Starts a job, or answers the one an earlier request with the same idempotency key started. */
export async function startJob(
  env: Env,
  request: JobRequest,
  nowMs: number = Date.now(),
): Promise<{ job: ReplayJob; created: boolean }> {
  if (request.idempotencyKey) {
    const existing = await env.DB.prepare('SELECT * FROM replay_jobs WHERE idempotency_key = ?1')
      .bind(request.idempotencyKey)
      .first<JobRow>();
    if (existing) return { job: toJob(existing), created: false };
  }
  const { count, newest } = await countMatching(env.DB, request.filter);
  const id = newId('rpj', nowMs);
  const row = await env.DB.prepare(
    `INSERT INTO replay_jobs (id, idempotency_key, status, filter, include_delivered, destination, upto_id,
       matched, created_at, updated_at, finished_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
  )
    .bind(
      id,
      request.idempotencyKey ?? null,
      count === 0 ? 'done' : 'running',
      JSON.stringify(request.filter),
      request.includeDelivered ? 1 : 0,
      request.destination ?? null,
      newest ?? '',
      count,
      nowMs,
      count === 0 ? nowMs : null,
    )
    .first<JobRow>();
  if (!row) {
    // Two requests with one key raced: the other one's insert won.
    const raced = await getJob(env.DB, '', request.idempotencyKey);
    if (!raced) throw new Error('replay job vanished between insert and lookup');
    return { job: raced, created: false };
  }
  if (row.status === 'running') await enqueueChunk(env, id);
  return { job: toJob(row), created: true };
}

export async function getJob(
  db: D1Database,
  id: string,
  idempotencyKey?: string,
): Promise<ReplayJob | undefined> {
  const row = await db
    .prepare('SELECT * FROM replay_jobs WHERE id = ?1 OR (?2 IS NOT NULL AND idempotency_key = ?2)')
    .bind(id, idempotencyKey ?? null)
    .first<JobRow>();
  return row ? toJob(row) : undefined;
}

export async function listJobs(
  db: D1Database,
  before: string | undefined,
  limit: number,
): Promise<ReplayJob[]> {
  const { results } = await db
    .prepare('SELECT * FROM replay_jobs WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2')
    .bind(before ?? null, limit)
    .all<JobRow>();
  return results.map(toJob);
}

/** Stops a job after the chunk under way; a finished job stays as it ended. */
export async function cancelJob(
  db: D1Database,
  id: string,
  nowMs: number = Date.now(),
): Promise<ReplayJob | undefined> {
  await db
    .prepare(
      `UPDATE replay_jobs SET status = 'canceled', updated_at = ?2, finished_at = ?2 WHERE id = ?1 AND status = 'running'`,
    )
    .bind(id, nowMs)
    .run();
  return getJob(db, id);
}

async function enqueueChunk(env: Env, jobId: string): Promise<void> {
  await env.JOBS.send({ job: jobId } satisfies ReplayJobMessage);
}

/** Replays the job's next chunk, then hands the one after it to the queue. */
export async function runChunk(env: Env, jobId: string, nowMs: number = Date.now()): Promise<void> {
  const row = await env.DB.prepare(`SELECT * FROM replay_jobs WHERE id = ?1 AND status = 'running'`)
    .bind(jobId)
    .first<JobRow>();
  if (!row) return; // done, canceled, or never existed: the message has no work
  const filter = JSON.parse(row.filter) as EventFilter;
  const ids = await matchingIds(env.DB, filter, { after: row.after_id, upto: row.upto_id }, CHUNK_SIZE);
  if (ids.length === 0) {
    await env.DB.prepare(
      `UPDATE replay_jobs SET status = 'done', updated_at = ?2, finished_at = ?2
       WHERE id = ?1 AND status = 'running' AND after_id = ?3`,
    )
      .bind(jobId, nowMs, row.after_id)
      .run();
    log.info('replay job done', { job_id: jobId, replayed: row.replayed, skipped: row.skipped });
    return;
  }
  const guard: ReplayGuard = { jobId, afterId: row.after_id };
  const options = {
    ...(row.destination ? { destination: row.destination } : {}),
    includeDelivered: row.include_delivered === 1 || row.destination !== null,
  };
  const results = await env.DB.batch<{ id?: string }>([
    // Deliveries first, so the routing that follows finds them waiting and takes them.
    ...requeueDeliveryStatements(env.DB, ids, nowMs, options, guard),
    ...requeueEventStatements(env.DB, ids, nowMs, guard),
    // Last, so every statement above saw the cursor where this chunk began.
    env.DB.prepare(
      `UPDATE replay_jobs SET after_id = ?3, updated_at = ?4,
         replayed = replayed + (SELECT count(*) FROM events WHERE id IN (SELECT value FROM json_each(?5))
                                  AND status = 'queued' AND enqueued_at = ?4),
         skipped = skipped + ?6 - (SELECT count(*) FROM events WHERE id IN (SELECT value FROM json_each(?5))
                                  AND status = 'queued' AND enqueued_at = ?4)
       WHERE id = ?1 AND after_id = ?2 AND status = 'running'`,
    ).bind(jobId, row.after_id, ids.at(-1), nowMs, JSON.stringify(ids), ids.length),
  ]);
  // Another handler of this job moved the cursor first: it replayed this chunk and carries the job on.
  if (!results.at(-1)?.meta.changes) return;
  const requeued = results
    .slice(ids.length, ids.length * 2)
    .flatMap((result) => result.results.map((r) => r.id).filter((id): id is string => id !== undefined));
  // Sent after the commit: if this send fails, the events wait `queued` and the sweep sends them.
  await enqueue(
    env.DELIVERIES,
    requeued.map((eventId) => ({ body: { eventId } })),
  );
  await enqueueChunk(env, jobId);
}

/** Jobs whose chunk message was lost (a failed send, a consumer that died): sent again. */
export async function resumeStalledJobs(env: Env, nowMs: number): Promise<number> {
  const { results } = await env.DB.prepare(
    `SELECT id FROM replay_jobs WHERE status = 'running' AND updated_at < ?1 LIMIT 20`,
  )
    .bind(nowMs - STALLED_AFTER_MS)
    .all<{ id: string }>();
  for (const { id } of results) await enqueueChunk(env, id);
  return results.length;
}

export async function jobsBatch(batch: MessageBatch<ReplayJobMessage>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    // One at a time: a chunk is a D1 transaction of a hundred statements; a failure retries it.
    try {
      await runChunk(env, message.body.job);
      message.ack();
    } catch (error) {
      log.error('replay chunk failed; retried', {
        job_id: message.body.job,
        error: error instanceof Error ? error.name : 'unknown',
      });
      message.retry({ delaySeconds: 5 });
    }
  }
}
