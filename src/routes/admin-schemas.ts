/**
 * The admin API's contract: every request's query and body, and every answer, as valibot schemas.
 * The routes validate with the request schemas, the tests check answers against the answer
 * schemas, and /admin/openapi.json is generated from both, so the document cannot drift.
 */
import * as v from 'valibot';
import { config } from '../config';
import { DELIVERY_STATUS_LIST, EVENT_STATUS_LIST, FUNNEL_STAGES } from '../pipeline/status';

const Name = v.pipe(v.string(), v.maxLength(100));
const Id = v.pipe(v.string(), v.maxLength(40));
const Iso = v.pipe(v.string(), v.description('ISO 8601 time'));
const NullableIso = v.nullable(Iso);

/** `2026-12-01` or `2026-12-01T10:00:00Z`, as milliseconds. */
export const TimeQuery = v.pipe(
  v.string(),
  v.maxLength(40),
  v.check(
    (value) => /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value)),
    'must be an ISO date or time',
  ),
  v.description('An ISO date (2026-12-01) or time (2026-12-01T10:00:00Z)'),
);

export const DestinationName = v.pipe(
  Name,
  v.check((name) => Object.hasOwn(config.destinations, name), 'is not a configured destination'),
);

/** The search filters, shared by `GET /admin/events` (as a query) and replay jobs (as JSON). */
const filterEntries = {
  status: v.optional(v.picklist(EVENT_STATUS_LIST)),
  source: v.optional(Name),
  destination: v.optional(Name),
  delivery_status: v.optional(v.picklist(DELIVERY_STATUS_LIST)),
  error_class: v.optional(
    v.pipe(v.string(), v.regex(/^[a-z_]{1,40}$/, 'must be an error class such as client_error')),
  ),
  campaign: v.optional(v.pipe(v.string(), v.maxLength(200))),
  event_type: v.optional(v.pipe(v.string(), v.maxLength(100))),
  email: v.optional(
    v.pipe(v.string(), v.maxLength(320), v.description("A person's email, matched by its hash")),
  ),
  phone: v.optional(
    v.pipe(v.string(), v.maxLength(40), v.description("A person's phone, matched by its hash")),
  ),
  from: v.optional(TimeQuery),
  to: v.optional(TimeQuery),
};
export const EventFilterSchema = v.strictObject(filterEntries);
export type EventFilterInput = v.InferOutput<typeof EventFilterSchema>;

const Limit = (max: number, fallback: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,4}$/, `must be a number from 1 to ${max}`),
      v.transform(Number),
      v.minValue(1, `must be a number from 1 to ${max}`),
      v.maxValue(max, `must be a number from 1 to ${max}`),
    ),
    String(fallback),
  );
const Cursor = v.optional(
  v.pipe(v.string(), v.maxLength(60), v.description('next_cursor of the previous page')),
);

export const SearchQuery = v.object({
  ...filterEntries,
  limit: Limit(200, 50),
  cursor: Cursor,
  total: v.optional(
    v.pipe(
      v.picklist(['true', 'false']),
      v.description('Also count every event the filters match (one more query)'),
    ),
  ),
});
export const PageQuery = v.object({ limit: Limit(100, 20), cursor: Cursor });

export const ReplayQuery = v.object({
  destination: v.optional(DestinationName),
  all: v.optional(v.picklist(['true', 'false']), 'false'),
});

export const ReplayIdsBody = v.strictObject({
  ids: v.pipe(v.array(Id), v.minLength(1), v.maxLength(500)),
  all: v.optional(v.boolean(), false),
});

export const ReplayJobBody = v.strictObject({
  filter: v.optional(EventFilterSchema, {}),
  all: v.optional(v.boolean(), false),
  destination: v.optional(DestinationName),
});

export const StatsQuery = v.object({
  from: v.optional(TimeQuery),
  to: v.optional(TimeQuery),
  source: v.optional(Name),
  campaign: v.optional(v.pipe(v.string(), v.maxLength(200))),
});

export const EraseBody = v.pipe(
  v.strictObject({
    email: v.optional(v.pipe(v.string(), v.maxLength(320))),
    phone: v.optional(v.pipe(v.string(), v.maxLength(40))),
    /** Count what would be deleted, delete nothing. */
    dry_run: v.optional(v.boolean(), false),
  }),
  v.check((body) => (body.email === undefined) !== (body.phone === undefined), 'give either email or phone'),
);

export const AlertsQuery = v.object({ status: v.optional(v.picklist(['open', 'closed'])) });

// --- answers -------------------------------------------------------------------------------------

const EventStatus = v.picklist(EVENT_STATUS_LIST);
const DeliveryStatus = v.picklist(DELIVERY_STATUS_LIST);

export const DeliverySummarySchema = v.object({
  destination: v.string(),
  status: DeliveryStatus,
  attempts: v.number(),
  last_error: v.nullable(v.string()),
});

export const EventListItemSchema = v.object({
  id: v.string(),
  source: v.string(),
  status: EventStatus,
  event_type: v.nullable(v.string()),
  campaign: v.nullable(v.string()),
  received_at: Iso,
  delivered_at: NullableIso,
  attempts: v.number(),
  last_error: v.nullable(v.string()),
  person_id: v.nullable(v.string()),
  deliveries: v.array(DeliverySummarySchema),
});

export const EventListSchema = v.object({
  events: v.array(EventListItemSchema),
  next_cursor: v.nullable(v.string()),
  /** With `total=true`: how many events the filters match, every page together. */
  total: v.optional(v.number()),
});

export const AttemptSchema = v.object({
  destination: v.string(),
  attempt: v.number(),
  started_at: Iso,
  duration_ms: v.number(),
  http_status: v.nullable(v.number()),
  error_class: v.string(),
  reason: v.nullable(v.string()),
  retry_in_s: v.nullable(v.number()),
});

export const EventDetailSchema = v.object({
  id: v.string(),
  source: v.string(),
  status: EventStatus,
  event_type: v.nullable(v.string()),
  campaign: v.nullable(v.string()),
  idempotency_key: v.string(),
  received_at: Iso,
  delivered_at: NullableIso,
  last_error: v.nullable(v.string()),
  person_id: v.nullable(v.string()),
  merged_into: v.nullable(v.string()),
  normalizer_version: v.nullable(v.string()),
  purged_at: NullableIso,
  request: v.nullable(
    v.object({
      content_type: v.string(),
      headers: v.record(v.string(), v.string()),
      body: v.string(),
    }),
  ),
  lead_before: v.nullable(v.record(v.string(), v.unknown())),
  lead: v.nullable(v.record(v.string(), v.unknown())),
  deliveries: v.array(
    v.object({
      destination: v.string(),
      status: DeliveryStatus,
      attempts: v.number(),
      record_id: v.nullable(v.string()),
      last_error: v.nullable(v.string()),
      next_attempt_at: NullableIso,
      delivered_at: NullableIso,
    }),
  ),
  attempts: v.array(AttemptSchema),
});

export const ReplayedSchema = v.object({ replayed: v.array(v.string()), count: v.number() });

export const JobSchema = v.object({
  id: v.string(),
  status: v.picklist(['running', 'done', 'canceled']),
  filter: v.record(v.string(), v.unknown()),
  all: v.boolean(),
  destination: v.nullable(v.string()),
  matched: v.number(),
  replayed: v.number(),
  skipped: v.number(),
  created_at: Iso,
  updated_at: Iso,
  finished_at: NullableIso,
});
export const JobAnswerSchema = v.object({ job: JobSchema });
export const JobListSchema = v.object({ jobs: v.array(JobSchema), next_cursor: v.nullable(v.string()) });

const Counts = Object.fromEntries(FUNNEL_STAGES.map((stage) => [stage, v.number()])) as Record<
  (typeof FUNNEL_STAGES)[number],
  v.NumberSchema<undefined>
>;
export const FunnelSchema = v.object({
  from: v.string(),
  to: v.string(),
  rows: v.array(
    v.object({ day: v.string(), source: v.string(), campaign: v.string(), received: v.number(), ...Counts }),
  ),
  rejected: v.array(v.object({ day: v.string(), source: v.string(), code: v.string(), count: v.number() })),
  totals: v.object({ received: v.number(), rejected: v.number(), ...Counts }),
});
export const CohortsSchema = v.object({
  from: v.string(),
  to: v.string(),
  cohorts: v.array(
    v.object({
      week: v.string(),
      source: v.string(),
      campaign: v.string(),
      people: v.number(),
      returned: v.number(),
    }),
  ),
});
export const LatencySchema = v.object({
  from: v.string(),
  to: v.string(),
  count: v.number(),
  p50_ms: v.nullable(v.number()),
  p90_ms: v.nullable(v.number()),
  p99_ms: v.nullable(v.number()),
  buckets: v.array(v.object({ le_ms: v.nullable(v.number()), count: v.number() })),
});

export const ErasedSchema = v.object({
  erased: v.boolean(),
  dry_run: v.boolean(),
  people: v.number(),
  deleted: v.object({
    events: v.number(),
    deliveries: v.number(),
    attempts: v.number(),
    people: v.number(),
    person_destinations: v.number(),
    alert_events: v.number(),
  }),
});

export const DestinationsSchema = v.object({
  destinations: v.array(
    v.object({
      name: v.string(),
      type: v.string(),
      state: v.picklist(['active', 'held', 'paused']),
      paused: v.nullable(
        v.object({
          at: NullableIso,
          by: v.nullable(v.string()),
          reason: v.nullable(v.string()),
          next_probe_at: NullableIso,
        }),
      ),
      hold_until: NullableIso,
      failure_streak: v.number(),
      last_success_at: NullableIso,
      last_failure_at: NullableIso,
      waiting: v.record(v.string(), v.number()),
    }),
  ),
});
export const DestinationStateSchema = v.object({
  destination: v.string(),
  state: v.picklist(['active', 'paused']),
  resent: v.optional(v.number()),
});

export const AlertsSchema = v.object({
  alerts: v.array(
    v.object({
      id: v.string(),
      kind: v.string(),
      source: v.nullable(v.string()),
      destination: v.nullable(v.string()),
      error_class: v.nullable(v.string()),
      status: v.picklist(['open', 'closed']),
      count: v.number(),
      events: v.number(),
      first_at: Iso,
      last_at: Iso,
      closed_at: NullableIso,
    }),
  ),
});

export const ProblemSchema = v.object({
  type: v.string(),
  title: v.string(),
  status: v.number(),
  code: v.string(),
  detail: v.string(),
  request_id: v.string(),
  issues: v.optional(v.array(v.object({ path: v.string(), message: v.string() }))),
});
