/** Each destination's health and backlog, with pause and resume. */
import type { FC } from 'hono/jsx';
import type { Destination } from '../api';
import {
  Badge,
  Card,
  Empty,
  type Flash,
  Layout,
  num,
  PageHead,
  PostButton,
  Time,
  toneOf,
} from '../components';
import { withFilter } from '../filters';

const WHY: Record<string, string> = {
  operator: 'Paused by an operator: only a resume sends its deliveries.',
  outage: 'Paused after failing again and again: probes test it and resume it when it answers.',
  config: 'Paused because every delivery failed the same way on our side (a token, a scope, a URL).',
};

const DestinationCard: FC<{ destination: Destination; csrf: string; now: number }> = ({
  destination: d,
  csrf,
  now,
}) => {
  const waiting = Object.entries(d.waiting).filter(([, count]) => count > 0);
  return (
    <Card class="dest-card">
      <div class="card-head" data-destination={d.name}>
        <div>
          <div class="name">{d.name}</div>
          <div class="faint">{d.type}</div>
        </div>
        <Badge status={d.state} label={d.state} />
      </div>
      <div class="card-body">
        {d.paused ? (
          <div class="callout warn">
            {WHY[d.paused.by ?? ''] ?? d.paused.reason ?? 'Paused.'}
            {d.paused.reason && d.paused.by !== 'operator' ? (
              <div class="mono faint">{d.paused.reason}</div>
            ) : null}
            {d.paused.next_probe_at ? (
              <div class="faint">
                Next probe <Time iso={d.paused.next_probe_at} now={now} />
              </div>
            ) : null}
          </div>
        ) : null}
        {d.hold_until ? (
          <div class="callout warn">
            Holding deliveries until <Time iso={d.hold_until} now={now} exact /> (it asked us to slow down).
          </div>
        ) : null}
        <div class="kv">
          <span>Last success</span>
          <Time iso={d.last_success_at} now={now} />
        </div>
        <div class="kv">
          <span>Last failure</span>
          <Time iso={d.last_failure_at} now={now} />
        </div>
        <div class="kv">
          <span>Failures in a row</span>
          <span class={d.failure_streak > 0 ? 'badge bad plain' : ''}>{num(d.failure_streak)}</span>
        </div>
        <div class="kv">
          <span>Waiting</span>
          <span class="dchips">
            {waiting.length === 0 ? (
              <span class="faint">nothing</span>
            ) : (
              waiting.map(([status, count]) => (
                <a
                  class={`dchip ${toneOf(status)}`}
                  href={withFilter('/admin', { destination: d.name, delivery_status: status })}
                >{`${num(count)} ${status}`}</a>
              ))
            )}
          </span>
        </div>
        <div class="actions mt">
          <a class="btn small ghost" href={withFilter('/admin', { destination: d.name })}>
            Events →
          </a>
          {d.state === 'paused' ? (
            <PostButton
              action={`/admin/ui/destinations/${encodeURIComponent(d.name)}/resume`}
              csrf={csrf}
              label="Resume"
              class="primary small"
              testid={`resume-${d.name}`}
            />
          ) : (
            <PostButton
              action={`/admin/ui/destinations/${encodeURIComponent(d.name)}/pause`}
              csrf={csrf}
              label="Pause"
              class="danger small"
              confirm={`Pause ${d.name}? Its deliveries wait, using up no attempt, until you resume it.`}
              testid={`pause-${d.name}`}
            />
          )}
        </div>
      </div>
    </Card>
  );
};

export const DestinationsPage: FC<{
  destinations: Destination[];
  csrf: string;
  flash?: Flash | undefined;
  now: number;
}> = ({ destinations, csrf, flash, now }) => {
  const counts = { active: 0, held: 0, paused: 0 };
  for (const d of destinations) counts[d.state]++;
  return (
    <Layout title="Destinations" active="destinations" csrf={csrf} flash={flash}>
      <PageHead
        title="Destinations"
        sub={`${counts.active} active · ${counts.held} holding · ${counts.paused} paused`}
      />
      {destinations.length === 0 ? (
        <Card>
          <Empty title="No destination configured">Add one under destinations in inlet.config.ts.</Empty>
        </Card>
      ) : (
        <div class="grid cards" data-testid="destinations">
          {destinations.map((destination) => (
            <DestinationCard destination={destination} csrf={csrf} now={now} />
          ))}
        </div>
      )}
    </Layout>
  );
};
