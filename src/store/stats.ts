/**
 * The funnel, cohorts and latency, read from the rollup tables that triggers keep (migration
 * 0008): each answer reads rows per day × source × campaign, never the events themselves, so it
 * costs the same at a thousand events or a million (bench/stats.mjs). Rejections are counted here
 * too, in memory per isolate and flushed every few seconds, as verification failures are.
 */
import { LATENCY_BOUNDS_MS, percentiles } from '../lib/percentiles';
import { FUNNEL_STAGES, type FunnelStage } from '../pipeline/status';

export { FUNNEL_STAGES };

export interface StatsRange {
  /** yyyy-mm-dd, inclusive. */
  from: string;
  /** yyyy-mm-dd, exclusive. */
  to: string;
  source?: string | undefined;
  campaign?: string | undefined;
}

export type FunnelRow = { day: string; source: string; campaign: string; received: number } & Record<
  FunnelStage,
  number
>;

export interface Funnel {
  rows: FunnelRow[];
  rejected: { day: string; source: string; code: string; count: number }[];
  totals: Record<FunnelStage | 'received' | 'rejected', number>;
}

const emptyStages = () => Object.fromEntries(FUNNEL_STAGES.map((s) => [s, 0])) as Record<FunnelStage, number>;

/**
 * One row per day × source × campaign, the stages pivoted in SQL: a row per stage would cross from
 * D1 several times over (bench/stats.mjs: 116 → 46 ms for 30 days at a million events).
 */
const PIVOT = FUNNEL_STAGES.map((stage) => `sum(count) FILTER (WHERE stage = '${stage}') AS "${stage}"`).join(
  ', ',
);

export async function funnel(db: D1Database, range: StatsRange): Promise<Funnel> {
  const [stages, rejected] = await db.batch<Record<string, string | number | null>>([
    db
      .prepare(
        `SELECT day, source, campaign, sum(count) AS received, ${PIVOT} FROM funnel_daily
         WHERE day >= ?1 AND day < ?2 AND (?3 IS NULL OR source = ?3) AND (?4 IS NULL OR campaign = ?4)
         GROUP BY day, source, campaign HAVING sum(count) != 0
         ORDER BY day, source, campaign`,
      )
      .bind(range.from, range.to, range.source ?? null, range.campaign ?? null),
    db
      .prepare(
        `SELECT day, source, code, count FROM rejections_daily
         WHERE day >= ?1 AND day < ?2 AND (?3 IS NULL OR source = ?3) ORDER BY day, source, code`,
      )
      .bind(range.from, range.to, range.source ?? null),
  ]);
  const totals = { ...emptyStages(), received: 0, rejected: 0 };
  const rows = (stages?.results ?? []).map((row) => {
    const entry: FunnelRow = {
      day: String(row.day),
      source: String(row.source),
      campaign: String(row.campaign ?? ''),
      received: Number(row.received ?? 0),
      ...emptyStages(),
    };
    for (const stage of FUNNEL_STAGES) {
      entry[stage] = Number(row[stage] ?? 0);
      totals[stage] += entry[stage];
    }
    totals.received += entry.received;
    return entry;
  });
  const rejections = (rejected?.results ?? []).map((row) => ({
    day: String(row.day),
    source: String(row.source),
    code: String(row.code ?? ''),
    count: Number(row.count ?? 0),
  }));
  totals.rejected = rejections.reduce((sum, row) => sum + row.count, 0);
  return { rows, rejected: rejections, totals };
}

export interface CohortRow {
  week: string;
  source: string;
  campaign: string;
  people: number;
  returned: number;
}

export async function cohorts(db: D1Database, range: StatsRange): Promise<CohortRow[]> {
  const { results } = await db
    .prepare(
      `SELECT week, source, campaign, people, returned FROM cohorts_weekly
       WHERE week >= date(?1, '-6 days', 'weekday 1') AND week < ?2 AND (?3 IS NULL OR source = ?3)
         AND (?4 IS NULL OR campaign = ?4)
       ORDER BY week, source, campaign`,
    )
    .bind(range.from, range.to, range.source ?? null, range.campaign ?? null)
    .all<CohortRow>();
  return results;
}

export interface Latency {
  count: number;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  /** `le_ms: null` is the bucket beyond the last bound. */
  buckets: { le_ms: number | null; count: number }[];
}

export async function latency(db: D1Database, range: StatsRange): Promise<Latency> {
  const { results } = await db
    .prepare(
      `SELECT le_ms, sum(count) AS count FROM latency_daily
       WHERE day >= ?1 AND day < ?2 AND (?3 IS NULL OR source = ?3)
       GROUP BY le_ms ORDER BY CASE WHEN le_ms < 0 THEN 1 ELSE 0 END, le_ms`,
    )
    .bind(range.from, range.to, range.source ?? null)
    .all<{ le_ms: number; count: number }>();
  // Every bucket, the empty ones too, so a histogram drawn from them shows its gaps.
  const counts = new Map(results.map((row) => [row.le_ms < 0 ? null : row.le_ms, row.count]));
  const buckets = [...LATENCY_BOUNDS_MS, null].map((le_ms) => ({ le_ms, count: counts.get(le_ms) ?? 0 }));
  return { count: buckets.reduce((sum, b) => sum + b.count, 0), ...percentiles(buckets), buckets };
}

// --- rejections ----------------------------------------------------------------------------------

const FLUSH_MS = 5_000;
const pending = new Map<string, number>();
let flushAt = 0;
let scheduled = false;

/** Unknown source names are the sender's words: one bucket for them all, or a scan could fill the table. */
export const UNKNOWN_SOURCE = '(unknown)';

/**
 * Counts a request refused before an event was stored. Best effort: an isolate evicted before its
 * flush loses at most a few seconds of counts, and counting never touches a lead.
 */
export function countRejection(
  db: D1Database,
  source: string,
  code: string,
  waitUntil: (promise: Promise<unknown>) => void,
  nowMs: number = Date.now(),
): void {
  const key = `${new Date(nowMs).toISOString().slice(0, 10)}|${source}|${code}`;
  pending.set(key, (pending.get(key) ?? 0) + 1);
  const wait = flushAt + FLUSH_MS - nowMs;
  if (wait <= 0) waitUntil(flushRejections(db, nowMs));
  else if (!scheduled) {
    scheduled = true;
    waitUntil(
      new Promise((resolve) => setTimeout(resolve, wait)).then(() => flushRejections(db, Date.now())),
    );
  }
}

export async function flushRejections(db: D1Database, nowMs: number = Date.now()): Promise<void> {
  flushAt = nowMs;
  scheduled = false;
  const counts = [...pending];
  pending.clear();
  if (counts.length === 0) return;
  try {
    await db.batch(
      counts.map(([key, count]) => {
        const [day, source, code] = key.split('|');
        return db
          .prepare(
            `INSERT INTO rejections_daily (day, source, code, count) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (day, source, code) DO UPDATE SET count = count + ?4`,
          )
          .bind(day, source, code, count);
      }),
    );
  } catch {
    // Put back: the next flush tries again.
    for (const [key, count] of counts) pending.set(key, (pending.get(key) ?? 0) + count);
  }
}
