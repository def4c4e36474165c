/** The funnel per source, campaign and day as a chart, the weekly cohorts, and delivery latency. */
import type { FC } from 'hono/jsx';
import type { ApiProblem, Cohorts, Funnel, FunnelStage, Latency } from '../api';
import { daysBetween, FunnelChart, LatencyChart, Legend, MiniBar, STAGES, totalsByDay } from '../charts';
import { Card, Empty, type Flash, formatMs, Layout, num, PageHead } from '../components';
import { withFilter } from '../filters';

type Result<T> = { ok: true; data: T } | { ok: false; problem: ApiProblem };

export interface StatsQuery {
  from?: string | undefined;
  to?: string | undefined;
  source?: string | undefined;
  campaign?: string | undefined;
}

const Problem: FC<{ problem: ApiProblem }> = ({ problem }) => (
  <div class="card-body">
    <div class="callout">
      <strong>{problem.title}.</strong> {problem.detail}
    </div>
  </div>
);

const pct = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '—');

/** The funnel's rows summed per source and campaign, busiest first. */
function bySourceCampaign(funnel: Funnel) {
  const groups = new Map<
    string,
    { source: string; campaign: string; received: number } & Record<FunnelStage, number>
  >();
  for (const row of funnel.rows) {
    const key = `${row.source}\u0000${row.campaign}`;
    const group =
      groups.get(key) ??
      ({
        source: row.source,
        campaign: row.campaign,
        received: 0,
        ...Object.fromEntries(STAGES.map((s) => [s, 0])),
      } as {
        source: string;
        campaign: string;
        received: number;
      } & Record<FunnelStage, number>);
    group.received += row.received;
    for (const stage of STAGES) group[stage] += row[stage];
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.received - a.received);
}

const FunnelCard: FC<{ funnel: Funnel; query: StatsQuery }> = ({ funnel, query }) => {
  const last = new Date(Date.parse(`${funnel.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const days = daysBetween(funnel.from, last);
  const byDay = totalsByDay(funnel.rows);
  const groups = bySourceCampaign(funnel);
  const rejected = new Map<string, number>();
  for (const row of funnel.rejected)
    rejected.set(
      `${row.source} · ${row.code}`,
      (rejected.get(`${row.source} · ${row.code}`) ?? 0) + row.count,
    );
  const t = funnel.totals;
  return (
    <>
      <div class="stats">
        <div class="stat">
          <div class="label">Received</div>
          <div class="value" data-testid="total-received">
            {num(t.received)}
          </div>
        </div>
        <div class="stat">
          <div class="label">Delivered</div>
          <div class="value ok">
            {num(t.delivered)} <span class="faint">{pct(t.delivered, t.received)}</span>
          </div>
        </div>
        <div class="stat">
          <div class="label">Dead</div>
          <div class={`value ${t.dead ? 'bad' : ''}`}>{num(t.dead)}</div>
        </div>
        <div class="stat">
          <div class="label">Invalid</div>
          <div class="value">{num(t.invalid)}</div>
        </div>
        <div class="stat">
          <div class="label">In flight</div>
          <div class="value">{num(t.pending)}</div>
        </div>
        <div class="stat">
          <div class="label">Refused at the edge</div>
          <div class={`value ${t.rejected ? 'warn' : ''}`}>{num(t.rejected)}</div>
        </div>
      </div>
      <Card title="Events per day, by how they ended">
        <div class="card-body">
          {funnel.rows.length === 0 ? (
            <Empty title="No events in this range">Pick a wider range, or another source or campaign.</Empty>
          ) : (
            <>
              <FunnelChart days={days} byDay={byDay} />
              <Legend />
            </>
          )}
        </div>
      </Card>
      <Card title="By source and campaign">
        {groups.length === 0 ? (
          <Empty title="Nothing to break down" />
        ) : (
          <div class="table-wrap">
            <table data-testid="funnel-table">
              <thead>
                <tr>
                  <th>Source</th>
                  <th>Campaign</th>
                  <th class="num">Received</th>
                  <th class="num">Delivered</th>
                  <th class="opt" />
                  <th class="num">Partial</th>
                  <th class="num">Dead</th>
                  <th class="num">Invalid</th>
                  <th class="num opt">In flight</th>
                  <th class="num opt">Other</th>
                </tr>
              </thead>
              <tbody>
                {groups.map((g) => (
                  <tr>
                    <td>{g.source}</td>
                    <td>
                      {g.campaign ? (
                        <a
                          href={withFilter('/admin/ui/stats', {
                            ...query,
                            source: g.source,
                            campaign: g.campaign,
                          })}
                        >
                          {g.campaign}
                        </a>
                      ) : (
                        <span class="faint">none</span>
                      )}
                    </td>
                    <td class="num">{num(g.received)}</td>
                    <td class="num">
                      {num(g.delivered)} <span class="faint">{pct(g.delivered, g.received)}</span>
                    </td>
                    <td class="opt">
                      <MiniBar value={g.delivered} of={g.received} stage="delivered" />
                    </td>
                    <td class="num">{num(g.partial)}</td>
                    <td class="num">
                      {g.dead ? (
                        <a
                          href={withFilter('/admin', {
                            status: 'dead',
                            source: g.source,
                            campaign: g.campaign || undefined,
                          })}
                        >
                          {num(g.dead)}
                        </a>
                      ) : (
                        '0'
                      )}
                    </td>
                    <td class="num">{num(g.invalid)}</td>
                    <td class="num opt">{num(g.pending)}</td>
                    <td class="num opt">{num(g.unrouted + g.ignored + g.merged)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {rejected.size ? (
        <Card title="Refused before storing (bad signature, malformed, oversized…)">
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Source · reason</th>
                  <th class="num">Requests</th>
                </tr>
              </thead>
              <tbody>
                {[...rejected.entries()]
                  .sort((a, b) => b[1] - a[1])
                  .map(([what, count]) => (
                    <tr>
                      <td class="mono">{what}</td>
                      <td class="num">{num(count)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        </Card>
      ) : null}
    </>
  );
};

const CohortsCard: FC<{ cohorts: Cohorts }> = ({ cohorts }) => (
  <Card title="Weekly cohorts: new people, and how many came back">
    {cohorts.cohorts.length === 0 ? (
      <Empty title="No new people in this range" />
    ) : (
      <div class="table-wrap">
        <table data-testid="cohorts">
          <thead>
            <tr>
              <th>Week of</th>
              <th>Source</th>
              <th>Campaign</th>
              <th class="num">People</th>
              <th class="num">Returned</th>
            </tr>
          </thead>
          <tbody>
            {cohorts.cohorts.map((row) => (
              <tr>
                <td class="nowrap">{row.week}</td>
                <td>{row.source || <span class="faint">—</span>}</td>
                <td>{row.campaign || <span class="faint">none</span>}</td>
                <td class="num">{num(row.people)}</td>
                <td class="num nowrap">
                  {num(row.returned)} <span class="faint">{pct(row.returned, row.people)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
  </Card>
);

const LatencyCard: FC<{ latency: Latency }> = ({ latency }) => (
  <Card title="Ingest to delivered (first delivery)">
    <div class="card-body stack">
      <div class="stats compact">
        <div class="stat">
          <div class="label">p50</div>
          <div class="value">{formatMs(latency.p50_ms)}</div>
        </div>
        <div class="stat">
          <div class="label">p90</div>
          <div class="value">{formatMs(latency.p90_ms)}</div>
        </div>
        <div class="stat">
          <div class="label">p99</div>
          <div class="value">{formatMs(latency.p99_ms)}</div>
        </div>
        <div class="stat">
          <div class="label">Delivered</div>
          <div class="value">{num(latency.count)}</div>
        </div>
      </div>
      {latency.count === 0 ? (
        <Empty title="Nothing delivered in this range" />
      ) : (
        <LatencyChart latency={latency} />
      )}
      <p class="note">A percentile is the upper bound of the bucket it falls in.</p>
    </div>
  </Card>
);

export const StatsPage: FC<{
  query: StatsQuery;
  sources: string[];
  funnel: Result<Funnel>;
  cohorts: Result<Cohorts>;
  latency: Result<Latency>;
  csrf: string;
  flash?: Flash | undefined;
}> = (props) => {
  const { query } = props;
  return (
    <Layout title="Funnel & stats" active="stats" csrf={props.csrf} flash={props.flash}>
      <PageHead
        title="Funnel & stats"
        sub={
          props.funnel.ok
            ? `${props.funnel.data.from} to ${props.funnel.data.to} (exclusive), UTC days`
            : 'The last 30 days by default'
        }
      />
      <div class="stack">
        <Card>
          <form method="get" action="/admin/ui/stats" class="card-body filters">
            <label class="field">
              From
              <input type="date" name="from" value={query.from ?? ''} />
            </label>
            <label class="field">
              To (exclusive)
              <input type="date" name="to" value={query.to ?? ''} />
            </label>
            <label class="field">
              Source
              <select name="source">
                <option value="">Any</option>
                {props.sources.map((source) => (
                  <option value={source} selected={source === query.source}>
                    {source}
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              Campaign
              <input type="text" name="campaign" value={query.campaign ?? ''} placeholder="any" />
            </label>
            <div class="buttons">
              <button type="submit" class="btn primary">
                Apply
              </button>
              <a class="btn ghost" href="/admin/ui/stats">
                Last 30 days
              </a>
            </div>
          </form>
        </Card>
        {props.funnel.ok ? (
          <FunnelCard funnel={props.funnel.data} query={query} />
        ) : (
          <Card title="Funnel">
            <Problem problem={props.funnel.problem} />
          </Card>
        )}
        <div class="grid two">
          {props.cohorts.ok ? (
            <CohortsCard cohorts={props.cohorts.data} />
          ) : (
            <Card title="Cohorts">
              <Problem problem={props.cohorts.problem} />
            </Card>
          )}
          {props.latency.ok ? (
            <LatencyCard latency={props.latency.data} />
          ) : (
            <Card title="Latency">
              <Problem problem={props.latency.problem} />
            </Card>
          )}
        </div>
      </div>
    </Layout>
  );
};
