/**
 * Charts drawn on the server as SVG: no chart library, no script, and they print. Colours come from
 * the stylesheet (`.s-<stage>`), so the chart, its legend and the badges agree.
 */
import type { FC } from 'hono/jsx';
import { FUNNEL_STAGES, type FunnelRow, type FunnelStage, type Latency } from './api';
import { formatMs, num } from './components';

/** A round step (1, 2 or 5 times a power of ten, at least 1: counts are whole) at or above `value`. */
function niceStep(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Four gridlines at whole, round values, the top one at or above `max`. */
export function axis(max: number): { top: number; ticks: number[] } {
  const step = niceStep(max / 4);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let tick = 0; tick <= top; tick += step) ticks.push(tick);
  return { top, ticks };
}

/** Every day from `from` to `to` inclusive (yyyy-mm-dd, UTC), so a quiet day shows as a gap. */
export function daysBetween(from: string, to: string, limit = 400): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && days.length < limit; t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export type DayTotals = Record<FunnelStage, number> & { received: number };

export function totalsByDay(rows: readonly FunnelRow[]): Map<string, DayTotals> {
  const byDay = new Map<string, DayTotals>();
  for (const row of rows) {
    const day =
      byDay.get(row.day) ?? (Object.fromEntries([...STAGES, 'received'].map((key) => [key, 0])) as DayTotals);
    day.received += row.received ?? 0;
    for (const stage of STAGES) day[stage] += row[stage] ?? 0;
    byDay.set(row.day, day);
  }
  return byDay;
}

export const STAGE_LABELS: Record<FunnelStage, string> = {
  delivered: 'Delivered',
  partial: 'Partial',
  pending: 'In flight',
  dead: 'Dead',
  invalid: 'Invalid',
  unrouted: 'Unrouted',
  ignored: 'Ignored',
  merged: 'Merged',
};
export const STAGES: readonly FunnelStage[] = FUNNEL_STAGES;

const W = 960;
const H = 260;
const PAD = { top: 12, right: 12, bottom: 28, left: 44 };

/** Events per day stacked by how they ended: delivered at the bottom, what needs a look above. */
export const FunnelChart: FC<{ days: string[]; byDay: Map<string, DayTotals> }> = ({ days, byDay }) => {
  const { top: max, ticks } = axis(Math.max(0, ...days.map((day) => byDay.get(day)?.received ?? 0)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(2, Math.min(36, slot * 0.72));
  const y = (value: number) => PAD.top + plotH - (value / max) * plotH;
  const labelEvery = Math.max(1, Math.ceil(days.length / 12));
  return (
    <svg
      class="chart funnel-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Events per day, ${days[0]} to ${days.at(-1)}`}
      data-testid="funnel-chart"
    >
      {ticks.map((tick) => (
        <g>
          <line class="grid-line" x1={PAD.left} x2={W - PAD.right} y1={y(tick)} y2={y(tick)} />
          <text x={PAD.left - 8} y={y(tick) + 4} text-anchor="end">
            {num(tick)}
          </text>
        </g>
      ))}
      {days.map((day, i) => {
        const totals = byDay.get(day);
        const x = PAD.left + i * slot + (slot - barW) / 2;
        let base = 0;
        return (
          <g data-day={day}>
            {totals
              ? STAGES.filter((stage) => totals[stage] > 0).map((stage) => {
                  const top = y(base + totals[stage]);
                  const height = y(base) - top;
                  base += totals[stage];
                  return (
                    <rect
                      class={`seg s-${stage}`}
                      x={x}
                      y={top}
                      width={barW}
                      height={Math.max(0.5, height)}
                      rx="1.5"
                    >
                      <title>{`${day} · ${STAGE_LABELS[stage]}: ${num(totals[stage])} of ${num(totals.received)}`}</title>
                    </rect>
                  );
                })
              : null}
            {/* Every few days, and always the last: the one an operator looks at first. */}
            {(i % labelEvery === 0 && days.length - 1 - i >= labelEvery / 2) || i === days.length - 1 ? (
              <text x={PAD.left + i * slot + slot / 2} y={H - 8} text-anchor="middle">
                {day.slice(5)}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
};

export const Legend: FC<{ stages?: readonly FunnelStage[] }> = ({ stages = STAGES }) => (
  <div class="legend">
    {stages.map((stage) => (
      <span class={`s-${stage}`}>{STAGE_LABELS[stage]}</span>
    ))}
  </div>
);

/** A share as a thin bar, for a table cell. */
export const MiniBar: FC<{ value: number; of: number; stage?: FunnelStage }> = ({ value, of, stage }) => {
  const pct = of > 0 ? Math.min(100, (100 * value) / of) : 0;
  return (
    <svg class="mini" viewBox="0 0 120 8" preserveAspectRatio="none" aria-hidden="true">
      <rect class="bar-track" x="0" y="0" width="120" height="8" rx="4" />
      <rect
        class={stage ? `s-${stage}` : 'bar'}
        x="0"
        y="0"
        width={(pct * 1.2).toFixed(1)}
        height="8"
        rx="4"
      />
    </svg>
  );
};

/** The latency histogram: how many first deliveries landed within each bucket's bound. */
export const LatencyChart: FC<{ latency: Latency }> = ({ latency }) => {
  const buckets = latency.buckets;
  const { top: max } = axis(Math.max(0, ...buckets.map((bucket) => bucket.count)));
  const w = 480;
  const h = 170;
  const pad = { top: 10, bottom: 24, left: 8, right: 8 };
  const slot = (w - pad.left - pad.right) / Math.max(1, buckets.length);
  const plotH = h - pad.top - pad.bottom;
  return (
    <svg class="chart latency-chart" viewBox={`0 0 ${w} ${h}`} role="img" aria-label="Latency histogram">
      <line class="grid-line" x1={pad.left} x2={w - pad.right} y1={h - pad.bottom} y2={h - pad.bottom} />
      {buckets.map((bucket, i) => {
        const height = (bucket.count / max) * plotH;
        const label =
          bucket.le_ms === null || bucket.le_ms < 0 ? '∞' : formatMs(bucket.le_ms).replace(' ', '');
        return (
          <g>
            <rect
              class="bar"
              x={pad.left + i * slot + slot * 0.12}
              y={h - pad.bottom - height}
              width={slot * 0.76}
              height={Math.max(bucket.count > 0 ? 1 : 0, height)}
              rx="2"
            >
              <title>{`≤ ${label}: ${num(bucket.count)}`}</title>
            </rect>
            <text x={pad.left + i * slot + slot / 2} y={h - 8} text-anchor="middle">
              {label}
            </text>
          </g>
        );
      })}
    </svg>
  );
};
