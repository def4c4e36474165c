/** The events table: the search API's filters, cursor paging, and a bulk replay of what it shows. */
import type { FC } from 'hono/jsx';
import type { ApiProblem, EventPage, EventSummary } from '../api';
import { Badge, Card, Csrf, Empty, type Flash, Layout, PageHead, Time, toneOf } from '../components';
import { ERROR_CLASSES, FILTER_LABELS, type Filter, withFilter } from '../filters';

export interface EventsPageProps {
  csrf: string;
  flash?: Flash | undefined;
  now: number;
  filter: Filter;
  /** The cursor of this page, when it is not the first. */
  cursor: string | undefined;
  /** Events per page, when the URL asked for other than the default. */
  limit: string | undefined;
  result: { ok: true; data: EventPage } | { ok: false; problem: ApiProblem };
  choices: { sources: string[]; destinations: string[]; statuses: string[]; deliveryStatuses: string[] };
  /** Sent with the bulk replay form, so a double submit answers the first job instead of a second. */
  idempotencyKey: string;
}

/** The statuses an operator looks at most, one click away. */
const QUICK = ['dead', 'partial', 'invalid', 'delivering', 'delivered', 'unrouted'];

const Select: FC<{ name: keyof Filter; value: string | undefined; options: readonly string[] }> = (props) => (
  <label class="field">
    {FILTER_LABELS[props.name]}
    <select name={props.name}>
      <option value="">Any</option>
      {props.options.map((option) => (
        <option value={option} selected={option === props.value}>
          {option}
        </option>
      ))}
    </select>
  </label>
);

const Text: FC<{ name: keyof Filter; value: string | undefined; type?: string; placeholder?: string }> = (
  props,
) => (
  <label class="field">
    {FILTER_LABELS[props.name]}
    <input
      type={props.type ?? 'text'}
      name={props.name}
      value={props.value ?? ''}
      placeholder={props.placeholder}
    />
  </label>
);

const Filters: FC<Pick<EventsPageProps, 'filter' | 'choices'>> = ({ filter, choices }) => (
  <Card>
    <form method="get" action="/admin" class="card-body filters" data-testid="filters">
      <Select name="status" value={filter.status} options={choices.statuses} />
      <Select name="source" value={filter.source} options={choices.sources} />
      <Select name="destination" value={filter.destination} options={choices.destinations} />
      <Select name="delivery_status" value={filter.delivery_status} options={choices.deliveryStatuses} />
      <Select name="error_class" value={filter.error_class} options={ERROR_CLASSES} />
      <Text name="campaign" value={filter.campaign} placeholder="spring-launch" />
      <Text name="email" value={filter.email} type="email" placeholder="ada@example.com" />
      <Text name="phone" value={filter.phone} type="tel" placeholder="+1 415 555 0100" />
      <Text name="from" value={filter.from} type="datetime-local" />
      <Text name="to" value={filter.to} type="datetime-local" />
      <div class="buttons">
        <button type="submit" class="btn primary">
          Apply
        </button>
        <a class="btn ghost" href="/admin">
          Clear
        </a>
      </div>
    </form>
  </Card>
);

const Deliveries: FC<{ event: EventSummary }> = ({ event }) =>
  event.deliveries.length ? (
    <div class="dchips">
      {event.deliveries.map((delivery) => (
        <span
          class={`dchip ${toneOf(delivery.status)}`}
          title={delivery.last_error ?? `${delivery.attempts} attempt(s)`}
        >{`${delivery.destination} · ${delivery.status}`}</span>
      ))}
    </div>
  ) : (
    <span class="faint">—</span>
  );

const EventsTable: FC<{ events: EventSummary[]; now: number }> = ({ events, now }) => (
  <div class="table-wrap">
    <table class="responsive" data-testid="events-table">
      <thead>
        <tr>
          <th>Received</th>
          <th>Event</th>
          <th>Source</th>
          <th>Status</th>
          <th>Deliveries</th>
          <th class="opt">Campaign</th>
          <th class="num opt">Attempts</th>
          <th class="opt">Last error</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr data-event-id={event.id}>
            <td data-label="Received">
              <Time iso={event.received_at} now={now} />
            </td>
            <td data-label="Event">
              <a class="id" href={`/admin/ui/events/${event.id}`}>
                {event.id}
              </a>
              {event.event_type ? <div class="faint">{event.event_type}</div> : null}
            </td>
            <td data-label="Source">{event.source}</td>
            <td data-label="Status">
              <Badge status={event.status} />
            </td>
            <td data-label="Deliveries">
              <Deliveries event={event} />
            </td>
            <td class="opt">{event.campaign ?? <span class="faint">—</span>}</td>
            <td class="num opt">{event.attempts}</td>
            <td class="err opt" title={event.last_error ?? ''}>
              {event.last_error ?? ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

const BulkReplay: FC<{ filter: Filter; csrf: string; destinations: string[]; idempotencyKey: string }> = (
  props,
) => {
  const described = Object.entries(props.filter)
    .map(([key, value]) => `${FILTER_LABELS[key as keyof Filter].toLowerCase()} ${value}`)
    .join(', ');
  return (
    <Card title="Replay everything this filter matches" id="bulk-replay">
      <form
        method="post"
        action="/admin/ui/replay-jobs"
        class="card-body stack"
        data-confirm={
          described ? `Replay every event with ${described}?` : 'No filter is set: replay EVERY event?'
        }
      >
        <Csrf token={props.csrf} />
        <input type="hidden" name="_idempotency" value={props.idempotencyKey} />
        {Object.entries(props.filter).map(([key, value]) => (
          <input type="hidden" name={key} value={value} />
        ))}
        <p class="note">
          {described ? `Every event with ${described}` : 'Every event (no filter is set)'}, including pages
          not shown, replayed in chunks through the queue. Events arriving later are not included.
        </p>
        <div class="row">
          <label class="field">
            Only to destination
            <select name="destination">
              <option value="">Any not yet delivered</option>
              {props.destinations.map((name) => (
                <option value={name}>{name}</option>
              ))}
            </select>
          </label>
          <label class="check">
            <input type="checkbox" name="all" value="true" /> Also deliver again where delivered
          </label>
          <div class="buttons">
            <button type="submit" class="btn primary" data-testid="start-bulk-replay">
              Start bulk replay
            </button>
          </div>
        </div>
      </form>
    </Card>
  );
};

export const EventsPage: FC<EventsPageProps> = (props) => {
  const { filter, result, now } = props;
  const filtered = Object.keys(filter).length > 0;
  const next = result.ok ? result.data.next_cursor : null;
  return (
    <Layout title="Events" active="events" csrf={props.csrf} flash={props.flash}>
      <PageHead
        title="Events"
        sub="Every webhook Inlet stored, newest first. Times are UTC."
        actions={
          <a class="btn" href="#bulk-replay">
            Bulk replay…
          </a>
        }
      />
      <nav class="chips" aria-label="Quick filters">
        <a class="chip" href="/admin" aria-current={filtered ? undefined : 'true'}>
          All
        </a>
        {QUICK.map((status) => (
          <a
            class="chip"
            href={withFilter('/admin', { status })}
            aria-current={filter.status === status && Object.keys(filter).length === 1 ? 'true' : undefined}
          >
            {status}
          </a>
        ))}
      </nav>
      <div class="stack">
        <Filters filter={filter} choices={props.choices} />
        <Card>
          {!result.ok ? (
            <div class="card-body">
              <div class="callout">
                <strong>{result.problem.title}.</strong> {result.problem.detail}
                {result.problem.issues?.length ? (
                  <ul>
                    {result.problem.issues.map((issue) => (
                      <li>
                        <code>{issue.path}</code> {issue.message}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </div>
            </div>
          ) : result.data.events.length === 0 ? (
            <Empty title={filtered ? 'No event matches this filter' : 'No events yet'}>
              {filtered
                ? 'Widen the time range or clear a filter.'
                : 'Send a webhook to /in/<source> and it shows up here within a second.'}
            </Empty>
          ) : (
            <>
              <EventsTable events={result.data.events} now={now} />
              <div class="pager">
                <span>
                  {result.data.events.length} event{result.data.events.length === 1 ? '' : 's'} on this page
                </span>
                <span class="actions">
                  {props.cursor ? (
                    <a class="btn small" href={withFilter('/admin', filter, { limit: props.limit })}>
                      ← Newest
                    </a>
                  ) : null}
                  {next ? (
                    <a
                      class="btn small"
                      href={withFilter('/admin', filter, { cursor: next, limit: props.limit })}
                      data-testid="next-page"
                    >
                      Older →
                    </a>
                  ) : null}
                </span>
              </div>
            </>
          )}
        </Card>
        <BulkReplay
          filter={filter}
          csrf={props.csrf}
          destinations={props.choices.destinations}
          idempotencyKey={props.idempotencyKey}
        />
      </div>
    </Layout>
  );
};
