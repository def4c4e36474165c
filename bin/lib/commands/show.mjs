/** `inlet show <event-id>`: one event with its deliveries, attempts, lead and request. */
import { parse } from '../args.mjs';
import { describeAttempt } from '../describe.mjs';
import { usageError } from '../errors.mjs';
import { adminClient, gatewayUrl } from '../gateway.mjs';
import { paint, plural, print, printJson, status, table, time } from '../output.mjs';

export const summary = 'one event: deliveries, attempts, lead before and after, request';

export const usage = `usage: inlet show <event-id> [--body] [--json]

Prints the event's status, each delivery with its attempts, the lead as the source's mapping
produced it and after normalisation, and the request's headers.

options:
  --body       print the request body too
  --url URL    the gateway (default $INLET_URL, else http://127.0.0.1:8787)
  --json       the API's answer`;

const OPTIONS = { body: { type: 'boolean' } };

// The gateway redacts credentials before it stores headers; this is a second guard, since the
// terminal output of `show` ends up pasted into tickets.
const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|cookie|x-inlet-token|x-api-key)$/i;

/** Stdout as a table sees it once indented by two: two columns narrower. */
const INDENTED = { isTTY: process.stdout.isTTY, columns: (process.stdout.columns ?? 80) - 2 };

/** `{ a: { b: 1 } }` as `[['a.b', 1]]`, for a field-by-field view of two leads. */
function flatten(value, prefix = '', out = new Map()) {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) flatten(item, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) {
    out.set(prefix, value);
  }
  return out;
}

/** A lead value as text; a string with edge spaces is quoted, since the spaces are what normalising fixed. */
const shown = (value) => {
  if (value === undefined) return '';
  if (typeof value !== 'string') return JSON.stringify(value);
  return /^\s|\s$/.test(value) ? JSON.stringify(value) : value;
};

/** The lead field by field: what the mapping produced, and what normalisation made of it. */
function leadTable(before, after, c) {
  const a = flatten(before ?? {});
  const b = flatten(after ?? {});
  const keys = [...new Set([...b.keys(), ...a.keys()])];
  const rows = keys.map((key) => {
    const was = shown(a.get(key));
    const now = shown(b.get(key));
    return { key, was, now: was !== now && before ? c.yellow(now) : now };
  });
  if (!before)
    return table(
      rows,
      [
        { header: 'FIELD', value: (r) => r.key },
        { header: 'LEAD', value: (r) => r.now, flex: true },
      ],
      INDENTED,
    );
  return table(
    rows,
    [
      { header: 'FIELD', value: (r) => r.key },
      { header: 'BEFORE', value: (r) => r.was },
      { header: 'AFTER', value: (r) => r.now, flex: true },
    ],
    INDENTED,
  );
}

export async function run(argv) {
  const { values, positionals } = parse('show', argv, OPTIONS);
  const [id, ...extra] = positionals;
  if (!id) throw usageError('which event? e.g. `inlet show evt_01J…` (ids are in `inlet events`)', 'show');
  if (extra.length) throw usageError(`unexpected argument: ${extra[0]}`, 'show');
  const client = adminClient(gatewayUrl(values.url));
  const event = await client.get(`/events/${encodeURIComponent(id)}`);
  if (values.json) {
    printJson(event);
    return 0;
  }

  const c = paint(process.stdout);
  const section = (title) => print(`\n${c.bold(title)}`);
  print(
    `${c.bold(event.id)}  ${event.source}  ${status(c, event.status)}${event.last_error ? `  ${c.red(event.last_error)}` : ''}`,
  );
  const facts = [
    ['received', time(event.received_at)],
    ['delivered', event.delivered_at ? time(event.delivered_at) : undefined],
    ['event type', event.event_type],
    ['campaign', event.campaign],
    ['person', event.person_id],
    ['merged into', event.merged_into],
    ['idempotency key', event.idempotency_key],
    ['normalizer', event.normalizer_version],
  ].filter(([, value]) => value !== undefined && value !== null);
  const width = Math.max(...facts.map(([label]) => label.length));
  for (const [label, value] of facts) print(`  ${c.dim(label.padEnd(width))}  ${value}`);

  const deliveries = event.deliveries ?? [];
  const attempts = event.attempts ?? [];
  section(`deliveries (${deliveries.length})`);
  if (deliveries.length === 0) print('  none');
  for (const delivery of deliveries) {
    const own = attempts.filter((a) => a.destination === delivery.destination);
    const facts = [
      plural(delivery.attempts ?? own.length, 'attempt'),
      delivery.record_id ? `record ${delivery.record_id}` : undefined,
      delivery.delivered_at ? `delivered ${time(delivery.delivered_at)}` : undefined,
      delivery.next_attempt_at ? `next attempt ${time(delivery.next_attempt_at)}` : undefined,
    ].filter(Boolean);
    print(`  ${c.bold(delivery.destination)}  ${status(c, delivery.status)}  ${facts.join(' · ')}`);
    if (delivery.last_error && delivery.status !== 'delivered') print(`    ${c.red(delivery.last_error)}`);
    for (const attempt of own)
      print(
        `    ${c.dim(time(attempt.started_at))}  ${describeAttempt({ ...attempt, destination: undefined })}`,
      );
  }
  const orphans = attempts.filter((a) => !deliveries.some((d) => d.destination === a.destination));
  for (const attempt of orphans) print(`  ${c.dim(time(attempt.started_at))}  ${describeAttempt(attempt)}`);

  section(event.lead_before ? 'lead (before → after normalisation)' : 'lead');
  if (!event.lead && !event.lead_before) print('  none (not mapped yet, or no lead in this event)');
  else print(indent(leadTable(event.lead_before, event.lead, c)));

  section('request');
  if (!event.request) {
    print(`  purged${event.purged_at ? ` ${time(event.purged_at)}` : ''} (retention)`);
  } else {
    const headers = [
      ['content-type', event.request.content_type ?? '-'],
      ...Object.entries(event.request.headers ?? {}).filter(
        ([name]) => name.toLowerCase() !== 'content-type',
      ),
    ];
    const hw = Math.max(0, ...headers.map(([name]) => name.length));
    for (const [name, value] of headers) {
      print(`  ${name.padEnd(hw)}  ${CREDENTIAL_HEADERS.test(name) ? c.dim('[redacted]') : value}`);
    }
    const body = event.request.body ?? '';
    if (values.body) print(`\n${body}`);
    else print(c.dim(`  body: ${Buffer.byteLength(body)} bytes (--body to print it)`));
  }
  return 0;
}

const indent = (text) =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
