/**
 * Command-line parsing on `util.parseArgs`, with the errors a user can act on (exit 2) instead of
 * Node's, and the checks every listing command shares: statuses, limits, times.
 */
import { parseArgs } from 'node:util';
import { usageError } from './errors.mjs';

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'no-color': { type: 'boolean' },
};

/** Parses `argv` for `command` with its options plus the global ones; throws a usage error. */
export function parse(command, argv, options) {
  try {
    return parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usageError(readable(error), command);
  }
}

function readable(error) {
  const option = /'(-[^' ]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? error.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(error.message) ? `${option} needs a value` : `${option} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument: ${error.message}`;
    default:
      return error.message;
  }
}

/** Where `argv` names its command: the first word that is neither an option nor an option's value. */
export function splitCommand(argv) {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return { command: argv[i + 1], rest: [...argv.slice(0, i), ...argv.slice(i + 2)] };
    if (!arg.startsWith('-')) return { command: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
    // `--url X events`: the value of a global option is not the command.
    if (arg === '--url') i++;
  }
  return { command: undefined, rest: argv };
}

export const EVENT_STATUSES = [
  'queued',
  'routing',
  'delivering',
  'delivered',
  'partial',
  'dead',
  'invalid',
  'merged',
  'unrouted',
  'ignored',
];
export const DELIVERY_STATUSES = ['queued', 'delivering', 'retrying', 'paused', 'delivered', 'dead'];

/** Checks a value against a list, so a typo is caught before a request and named with the choices. */
export function oneOf(command, option, value, choices) {
  if (value === undefined || choices.includes(value)) return value;
  throw usageError(`--${option} must be one of ${choices.join(', ')} (not ${value})`, command);
}

export function integer(command, option, value, min, max) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw usageError(`--${option} must be a whole number from ${min} to ${max} (not ${value})`, command);
  }
  return n;
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * `--from` / `--to`: an ISO date or time as the API takes it, or a span back from now (`90m`,
 * `24h`, `7d`, `2w`), which is what one usually means at a terminal.
 */
export function when(command, option, value, now = Date.now()) {
  if (value === undefined) return undefined;
  const span = /^(\d+)\s*([mhdw])$/.exec(value.trim());
  if (span) return new Date(now - Number(span[1]) * UNIT_MS[span[2]]).toISOString();
  if (
    /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) &&
    !Number.isNaN(Date.parse(value))
  )
    return value;
  throw usageError(
    `--${option} must be an ISO date or time (2026-12-01, 2026-12-01T10:00:00Z) or a span such as 24h or 7d (not ${value})`,
    command,
  );
}

/** Event search options, in the CLI's spelling; shared by `events` and bulk `replay`. */
export const FILTER_OPTIONS = {
  status: { type: 'string' },
  source: { type: 'string' },
  destination: { type: 'string' },
  'delivery-status': { type: 'string' },
  'error-class': { type: 'string' },
  campaign: { type: 'string' },
  'event-type': { type: 'string' },
  email: { type: 'string' },
  phone: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
};

/** The search filters of the admin API (`GET /admin/events` query names) from parsed options. */
export function filters(command, values) {
  const filter = {
    status: oneOf(command, 'status', values.status, EVENT_STATUSES),
    source: values.source,
    destination: values.destination,
    delivery_status: oneOf(command, 'delivery-status', values['delivery-status'], DELIVERY_STATUSES),
    error_class: values['error-class'],
    campaign: values.campaign,
    event_type: values['event-type'],
    email: values.email,
    phone: values.phone,
    from: when(command, 'from', values.from),
    to: when(command, 'to', values.to),
  };
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
}

/** The `--filter` help lines shared by `events` and `replay`. */
export const FILTER_HELP = `  --status S            ${EVENT_STATUSES.join(', ')}
  --source S            the source name (as in /in/<source>)
  --destination D       has a delivery to D
  --delivery-status S   has a delivery in S (${DELIVERY_STATUSES.join(', ')}); with --destination, D's
  --error-class C       the last error's class (client_error, rate_limited, invalid_payload, ...)
  --campaign C          the lead's campaign (its campaign, else utm.campaign)
  --event-type T        the provider's event type
  --email E, --phone P  a person's email or phone (matched by hash, never stored in clear)
  --from T, --to T      received in [from, to): 2026-12-01, 2026-12-01T10:00:00Z, or 24h, 7d back`;
