/**
 * One event, everything Inlet holds about it: deliveries, attempts, the lead as mapped and as
 * normalised side by side, the request as received, and the replay buttons.
 */
import type { FC } from 'hono/jsx';
import type { EventDetail } from '../api';
import { Badge, Card, Empty, type Flash, Layout, PageHead, PostButton, pretty, Time } from '../components';

/** A lead flattened to dotted paths (`utm.campaign`), arrays kept whole, for a field-by-field diff. */
export function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix && !(Array.isArray(value) && value.length === 0)) {
    out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return out;
}

const LeadDiff: FC<{ before: unknown; after: unknown }> = ({ before, after }) => {
  const a = flatten(before);
  const b = flatten(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => {
    // Fields the mapping produced first, in its order; what normalisation added after them.
    const ia = [...a.keys()].indexOf(x);
    const ib = [...a.keys()].indexOf(y);
    return (ia < 0 ? 1e6 : ia) - (ib < 0 ? 1e6 : ib) || x.localeCompare(y);
  });
  return (
    <div class="table-wrap">
      <table data-testid="lead-diff">
        <thead>
          <tr>
            <th>Field</th>
            <th>As mapped</th>
            <th>Normalised</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const was = a.get(key);
            const is = b.get(key);
            const kind =
              was === undefined ? 'added' : is === undefined ? 'removed' : was !== is ? 'changed' : '';
            return (
              <tr class={`diff-row ${kind}`}>
                <td class="muted">{key}</td>
                <td class="before">{was ?? ''}</td>
                <td class="after">{is ?? ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
};

export const EventPage: FC<{ event: EventDetail; csrf: string; flash?: Flash | undefined; now: number }> = ({
  event,
  csrf,
  flash,
  now,
}) => {
  const base = `/admin/ui/events/${event.id}`;
  const undelivered = event.deliveries.some((d) => d.status !== 'delivered') || event.deliveries.length === 0;
  return (
    <Layout title={event.id} active="events" csrf={csrf} flash={flash}>
      <PageHead
        title={
          <>
            <span class="mono">{event.id}</span> <Badge status={event.status} />
          </>
        }
        sub={
          <>
            {event.source}
            {event.event_type ? ` · ${event.event_type}` : ''} · received{' '}
            <Time iso={event.received_at} now={now} exact />
          </>
        }
        actions={
          <>
            <a class="btn ghost" href="/admin">
              ← Events
            </a>
            <PostButton
              action={`${base}/replay`}
              csrf={csrf}
              label={undelivered ? 'Replay' : 'Replay (routes again)'}
              class="primary"
              testid="replay-event"
            />
            <PostButton
              action={`${base}/replay`}
              csrf={csrf}
              label="Deliver again everywhere"
              fields={{ all: 'true' }}
              confirm="Deliver this lead again to every destination, including where it was delivered?"
            />
          </>
        }
      />
      <div class="stack">
        {event.last_error && event.status !== 'delivered' ? (
          <div class="callout">
            <strong>Last error:</strong> <span class="mono">{event.last_error}</span>
          </div>
        ) : null}
        <div class="grid two">
          <Card title="Overview">
            <div class="card-body">
              <dl class="meta">
                <dt>Source</dt>
                <dd>{event.source}</dd>
                <dt>Event type</dt>
                <dd>{event.event_type ?? '—'}</dd>
                <dt>Campaign</dt>
                <dd>{event.campaign ?? '—'}</dd>
                <dt>Received</dt>
                <dd>
                  <Time iso={event.received_at} now={now} exact />
                </dd>
                <dt>Delivered</dt>
                <dd>
                  <Time iso={event.delivered_at} now={now} exact />
                </dd>
                <dt>Person</dt>
                <dd class="mono">{event.person_id ?? '—'}</dd>
                {event.merged_into ? (
                  <>
                    <dt>Merged into</dt>
                    <dd>
                      <a class="mono" href={`/admin/ui/events/${event.merged_into}`}>
                        {event.merged_into}
                      </a>
                    </dd>
                  </>
                ) : null}
                <dt>Idempotency key</dt>
                <dd class="mono">{event.idempotency_key}</dd>
                <dt>Normaliser</dt>
                <dd class="mono">{event.normalizer_version ?? '—'}</dd>
              </dl>
            </div>
          </Card>
          <Card title="Deliveries">
            {event.deliveries.length === 0 ? (
              <Empty title="No delivery">
                {event.status === 'unrouted'
                  ? 'No route matched this event. Add one in inlet.config.ts, deploy, then replay it.'
                  : 'Routing has not chosen a destination for this event (yet).'}
              </Empty>
            ) : (
              <div class="table-wrap">
                <table data-testid="deliveries">
                  <thead>
                    <tr>
                      <th>Destination</th>
                      <th>Status</th>
                      <th class="num">Attempts</th>
                      <th class="opt">Record</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {event.deliveries.map((delivery) => (
                      <tr data-destination={delivery.destination}>
                        <td>
                          {delivery.destination}
                          {delivery.last_error && delivery.status !== 'delivered' ? (
                            <div class="faint mono">{delivery.last_error}</div>
                          ) : null}
                          {delivery.next_attempt_at && delivery.status === 'retrying' ? (
                            <div class="faint">
                              next attempt <Time iso={delivery.next_attempt_at} now={now} />
                            </div>
                          ) : null}
                        </td>
                        <td>
                          <Badge status={delivery.status} />
                        </td>
                        <td class="num">{delivery.attempts}</td>
                        <td class="opt mono">{delivery.record_id ?? '—'}</td>
                        <td class="num">
                          <PostButton
                            action={`${base}/replay`}
                            csrf={csrf}
                            label="Replay here"
                            class="small"
                            fields={{ destination: delivery.destination }}
                            {...(delivery.status === 'delivered'
                              ? { confirm: `Deliver this lead to ${delivery.destination} again?` }
                              : {})}
                          />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
        </div>
        <Card title={`Attempts (${event.attempts.length})`}>
          {event.attempts.length === 0 ? (
            <Empty title="No attempt yet" />
          ) : (
            <div class="table-wrap">
              <table data-testid="attempts">
                <thead>
                  <tr>
                    <th>Started</th>
                    <th>Destination</th>
                    <th class="num">#</th>
                    <th>Outcome</th>
                    <th class="num opt">HTTP</th>
                    <th class="num opt">Took</th>
                    <th>Reason</th>
                    <th class="opt">Retry</th>
                  </tr>
                </thead>
                <tbody>
                  {event.attempts.map((attempt) => (
                    <tr>
                      <td>
                        <Time iso={attempt.started_at} now={now} exact />
                      </td>
                      <td>{attempt.destination}</td>
                      <td class="num">{attempt.attempt}</td>
                      <td>
                        <Badge
                          status={attempt.error_class === 'ok' ? 'delivered' : 'dead'}
                          label={attempt.error_class}
                        />
                      </td>
                      <td class="num opt">{attempt.http_status ?? '—'}</td>
                      <td class="num opt">{attempt.duration_ms} ms</td>
                      <td class="mono">{attempt.reason ?? ''}</td>
                      <td class="opt">{attempt.retry_in_s === null ? '—' : `in ${attempt.retry_in_s} s`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
        <Card title="Lead: as mapped → normalised">
          {event.lead === null && event.lead_before === null ? (
            <Empty title="No lead">
              {event.purged_at
                ? 'Retention purged it.'
                : 'This event was not mapped to a lead (ignored, invalid or not routed yet).'}
            </Empty>
          ) : (
            <LeadDiff before={event.lead_before} after={event.lead} />
          )}
        </Card>
        <Card title="Request as received">
          {event.request === null ? (
            <Empty title="Purged">
              {event.purged_at ? (
                <>
                  Retention purged the payload and headers <Time iso={event.purged_at} now={now} />.
                </>
              ) : (
                'The payload is no longer held.'
              )}
            </Empty>
          ) : (
            <div class="card-body grid two">
              <div>
                <h2>Headers</h2>
                <dl class="meta mono">
                  {Object.entries(event.request.headers).map(([name, value]) => (
                    <>
                      <dt>{name}</dt>
                      <dd>{value}</dd>
                    </>
                  ))}
                </dl>
              </div>
              <div>
                <h2>
                  Body <span class="faint">({event.request.content_type})</span>
                </h2>
                <pre data-testid="raw-body">{pretty(event.request.body)}</pre>
              </div>
            </div>
          )}
        </Card>
      </div>
    </Layout>
  );
};
