/**
 * `inlet stats`: the funnel per source and campaign with totals and rejections by reason, and
 * ingest-to-delivered latency; `inlet stats cohorts`: new people per week and how many came back.
 */
import { parse, when } from '../args.mjs';
import { usageError } from '../errors.mjs';
import { adminClient, gatewayUrl } from '../gateway.mjs';
import { duration, paint, percent, print, printJson, table } from '../output.mjs';

export const summary = 'the funnel per source and campaign, latency; `stats cohorts`';

export const usage = `usage: inlet stats [--from T] [--to T] [--source S] [--campaign C] [--json]
       inlet stats cohorts [--from T] [--to T] [--source S] [--campaign C] [--json]

The funnel: per source and campaign, events received and how they ended (delivered, partial,
dead, invalid, ignored, unrouted, merged, still pending), the totals, requests rejected before
an event was stored (bad signature, malformed, wrong schema, too large) by reason, and the
ingest-to-delivered latency percentiles. Cohorts: new people per ISO week by the source and
campaign of their first lead, and how many came back in a later week.

options:
  --from T, --to T  the range [from, to): 2026-12-01, 2026-12-01T10:00:00Z, or 24h, 7d back
                    (default: the last 30 days)
  --source S        one source
  --campaign C      one campaign (the latency is then left out: it is kept per source)
  --url URL         the gateway (default $INLET_URL, else http://127.0.0.1:8787)
  --json            the API's answers: { funnel, latency }, or the cohorts answer`;

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  source: { type: 'string' },
  campaign: { type: 'string' },
};

const OUTCOMES = ['delivered', 'partial', 'dead', 'invalid', 'ignored', 'unrouted', 'merged', 'pending'];

/** Rows summed over their days, per the key `keyOf` gives. */
function sumBy(rows, keyOf, fields) {
  const groups = new Map();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key) ?? { ...row, ...Object.fromEntries(fields.map((f) => [f, 0])) };
    for (const field of fields) group[field] += Number(row[field] ?? 0);
    groups.set(key, group);
  }
  return [...groups.values()];
}

const count = (n) => (n ? String(n) : '-');

function funnel(answer, latency) {
  const c = paint(process.stdout);
  const rows = sumBy(answer.rows ?? [], (r) => `${r.source}\0${r.campaign ?? ''}`, [
    'received',
    ...OUTCOMES,
  ]).sort((a, b) => b.received - a.received || String(a.source).localeCompare(b.source));
  const totals = answer.totals ?? sumBy(rows, () => 'all', ['received', ...OUTCOMES])[0] ?? {};
  // `to` is exclusive, as the API takes it.
  const lines =
    answer.from && answer.to ? [c.dim(`${answer.from} to ${answer.to} (UTC days, to exclusive)`)] : [];
  if (rows.length === 0) lines.push('no events in this range.');
  else {
    const all = [...rows, { source: c.bold('total'), campaign: '', ...totals, total: true }];
    lines.push(
      table(all, [
        { header: 'SOURCE', value: (r) => r.source },
        { header: 'CAMPAIGN', value: (r) => (r.total ? '' : r.campaign || '-') },
        { header: 'RECEIVED', value: (r) => count(r.received), align: 'right' },
        ...OUTCOMES.map((field) => ({
          header: field.toUpperCase(),
          value: (r) => count(r[field]),
          align: 'right',
        })),
        { header: 'DELIVERED%', value: (r) => percent(r.delivered ?? 0, r.received ?? 0), align: 'right' },
      ]),
    );
  }
  const rejected = sumBy(answer.rejected ?? [], (r) => `${r.source}\0${r.code}`, ['count']).sort(
    (a, b) => b.count - a.count,
  );
  if (rejected.length) {
    const sum = rejected.reduce((n, r) => n + r.count, 0);
    lines.push('', c.bold(`rejected before storing (${sum})`));
    lines.push(
      table(rejected, [
        { header: 'SOURCE', value: (r) => r.source },
        { header: 'REASON', value: (r) => r.code },
        { header: 'COUNT', value: (r) => r.count, align: 'right' },
      ]),
    );
  }
  if (latency) {
    // A percentile beyond the last bucket has no upper bound: the API gives null, said as "> last".
    const bounds = (latency.buckets ?? []).map((b) => b.le_ms).filter((ms) => typeof ms === 'number');
    const p = (ms) =>
      ms === null || ms === undefined
        ? bounds.length
          ? `> ${duration(Math.max(...bounds))}`
          : '-'
        : duration(ms);
    lines.push('');
    lines.push(
      latency.count
        ? `${c.bold('latency')} (ingest → delivered, ${latency.count} events): p50 ${p(latency.p50_ms)} · p90 ${p(latency.p90_ms)} · p99 ${p(latency.p99_ms)}`
        : `${c.bold('latency')}: no event was first delivered in this range`,
    );
  }
  return lines.join('\n');
}

function cohorts(answer) {
  const c = paint(process.stdout);
  const range =
    answer.from && answer.to ? `${c.dim(`${answer.from} to ${answer.to} (UTC days, to exclusive)`)}\n` : '';
  const rows = answer.cohorts ?? [];
  if (rows.length === 0) return `${range}no new people in this range.`;
  return (
    range +
    table(rows, [
      { header: 'WEEK', value: (r) => r.week },
      { header: 'SOURCE', value: (r) => r.source },
      { header: 'CAMPAIGN', value: (r) => r.campaign || '-' },
      { header: 'PEOPLE', value: (r) => r.people, align: 'right' },
      { header: 'RETURNED', value: (r) => r.returned, align: 'right' },
      { header: 'RETURNED%', value: (r) => percent(r.returned, r.people), align: 'right' },
    ])
  );
}

export async function run(argv) {
  const { values, positionals } = parse('stats', argv, OPTIONS);
  const [view, ...extra] = positionals;
  if (extra.length || (view && view !== 'cohorts')) {
    throw usageError(
      `unexpected argument: ${extra[0] ?? view} (did you mean \`inlet stats cohorts\`?)`,
      'stats',
    );
  }
  const range = {
    from: when('stats', 'from', values.from),
    to: when('stats', 'to', values.to),
    source: values.source,
  };
  const client = adminClient(gatewayUrl(values.url));

  if (view === 'cohorts') {
    const answer = await client.get('/stats/cohorts', { ...range, campaign: values.campaign });
    if (values.json) printJson(answer);
    else print(cohorts(answer));
    return 0;
  }
  const [answer, latency] = await Promise.all([
    client.get('/stats/funnel', { ...range, campaign: values.campaign }),
    // Latency has no campaign filter: with --campaign it would describe other events.
    values.campaign ? undefined : client.get('/stats/latency', range),
  ]);
  if (values.json) printJson({ funnel: answer, latency: latency ?? null });
  else print(funnel(answer, latency));
  return 0;
}
