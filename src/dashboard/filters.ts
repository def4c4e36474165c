/**
 * The search filters of GET /admin/events, as the dashboard's URL carries them and as the API
 * takes them. One list, so the events table, the bulk replay of "this filter" and the links from a
 * replay job all mean the same events.
 */

export const FILTER_KEYS = [
  'status',
  'source',
  'destination',
  'delivery_status',
  'error_class',
  'campaign',
  'event_type',
  'email',
  'phone',
  'from',
  'to',
] as const;

export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filter = Partial<Record<FilterKey, string>>;

/** Error classes an attempt records (src/lib/outcome.ts), for the filter's choices. */
export const ERROR_CLASSES = [
  'client_error',
  'server_error',
  'rate_limited',
  'timeout',
  'request_timeout',
  'network',
  'config_error',
  'lookup_failed',
  'invalid_payload',
] as const;

/** The filter a query string holds: known keys only, trimmed, empty ones dropped. */
export function filterOf(query: Record<string, string | undefined>): Filter {
  const filter: Filter = {};
  for (const key of FILTER_KEYS) {
    const value = query[key]?.trim();
    if (value) filter[key] = value.slice(0, 200);
  }
  return filter;
}

/**
 * A `datetime-local` input gives `2026-12-01T10:00` with no zone; the dashboard labels its times
 * UTC, so that is what it means. Dates and full ISO times pass as they are.
 */
export function apiTime(value: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)
    ? `${value}${value.length === 16 ? ':00' : ''}Z`
    : value;
}

/** The filter as the API's query (or a bulk replay's `filter`): times made explicit. */
export function apiFilter(filter: Filter): Filter {
  const out: Filter = { ...filter };
  if (out.from) out.from = apiTime(out.from);
  if (out.to) out.to = apiTime(out.to);
  return out;
}

/** A dashboard URL with this filter (and more), for links that keep it. */
export function withFilter(
  path: string,
  filter: Record<string, string | undefined>,
  extra: Record<string, string | undefined> = {},
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...extra })) if (value) params.set(key, value);
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** A replay job's filter (the API answers it in the search's own names) as a dashboard filter. */
export function jobFilter(raw: Record<string, unknown>): Filter {
  return filterOf(
    Object.fromEntries(
      Object.entries(raw).map(([key, value]) => [key, value == null ? undefined : String(value)]),
    ),
  );
}

export const FILTER_LABELS: Record<FilterKey, string> = {
  status: 'Status',
  source: 'Source',
  destination: 'Destination',
  delivery_status: 'Delivery status',
  error_class: 'Error class',
  campaign: 'Campaign',
  event_type: 'Event type',
  email: 'Email',
  phone: 'Phone',
  from: 'From',
  to: 'To',
};
