/** `inlet events`: search events (`GET /admin/events`) as a table, a page or every page. */
import { FILTER_HELP, FILTER_OPTIONS, filters, integer, parse } from '../args.mjs';
import { usageError } from '../errors.mjs';
import { adminClient, gatewayUrl } from '../gateway.mjs';
import { note, paint, print, printJson, status, table, time } from '../output.mjs';

export const summary = 'search events: a table, or --json';

export const usage = `usage: inlet events [filters] [--limit N] [--cursor C | --all-pages] [--json]

Lists events, newest first, with their deliveries. Filters combine with AND:
${FILTER_HELP}

options:
  --limit N      events per page, 1-200 (default 50)
  --cursor C     the page after the one that printed this cursor
  --all-pages    follow the cursor to the last page
  --url URL      the gateway (default $INLET_URL, else http://127.0.0.1:8787)
  --json         the API's answer (with --all-pages, every page's events in one answer)`;

const OPTIONS = {
  ...FILTER_OPTIONS,
  limit: { type: 'string' },
  cursor: { type: 'string' },
  'all-pages': { type: 'boolean' },
};

/** The event table: one line per event, its deliveries in one cell, the last error cut to fit. */
export function eventTable(events, stream = process.stdout) {
  const c = paint(stream);
  return table(
    events,
    [
      { header: 'ID', value: (e) => e.id },
      { header: 'RECEIVED (UTC)', value: (e) => time(e.received_at) },
      { header: 'SOURCE', value: (e) => e.source },
      { header: 'STATUS', value: (e) => status(c, e.status) },
      { header: 'CAMPAIGN', value: (e) => e.campaign ?? '-' },
      {
        header: 'DELIVERIES',
        value: (e) =>
          (e.deliveries ?? []).map((d) => `${d.destination} ${status(c, d.status)}`).join(', ') || '-',
      },
      { header: 'ATTEMPTS', value: (e) => e.attempts ?? '-', align: 'right' },
      { header: 'LAST ERROR', value: (e) => e.last_error ?? '', flex: true },
    ],
    stream,
  );
}

export async function run(argv) {
  const { values, positionals } = parse('events', argv, OPTIONS);
  if (positionals.length) {
    throw usageError(
      `unexpected argument: ${positionals[0]} (to read one event: inlet show ${positionals[0]})`,
      'events',
    );
  }
  if (values.cursor && values['all-pages'])
    throw usageError('--cursor and --all-pages do not go together', 'events');
  const query = {
    ...filters('events', values),
    limit: integer('events', 'limit', values.limit, 1, 200),
    cursor: values.cursor,
  };
  const client = adminClient(gatewayUrl(values.url));

  let page = await client.get('/events', query);
  const events = [...(page.events ?? [])];
  while (values['all-pages'] && page.next_cursor) {
    page = await client.get('/events', { ...query, cursor: page.next_cursor });
    events.push(...(page.events ?? []));
  }
  const next = page.next_cursor ?? null;

  if (values.json) {
    printJson(values['all-pages'] ? { events, next_cursor: null } : page);
    return 0;
  }
  if (events.length === 0) {
    print(query.cursor ? 'no more events.' : 'no events match.');
    return 0;
  }
  print(eventTable(events));
  if (next) {
    // On stderr, so the table can be piped and the hint is still seen.
    note(paint(process.stderr).dim(`more: add --cursor ${next}, or --all-pages`));
  }
  return 0;
}
