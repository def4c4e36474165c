/**
 * The schema of `inlet.config.ts`, the one file a user edits: sources, destinations, routes.
 * Checked with valibot when the Worker starts (a deploy with a broken file fails to start, so it
 * never goes live), by `npm run build` and by the tests, with an error that names the bad key.
 * Pure: names of secrets and vars only, never their values.
 */

import { isSupportedCountry } from 'libphonenumber-js/min';
import * as v from 'valibot';
import { ALERT_KINDS } from '../alerts/types';
import { isLeadPath, type LeadPath } from '../destinations/fields';
import { DEFAULT_FLAT_FIELD_MAP, type FlatFieldMap } from '../leads/mappings/flat';
import { type PresetName, presets } from '../sources/presets';

/** Source types: a lead platform with its own mapping, a provider read by contact paths, or flat JSON. */
export const SOURCE_TYPES = [
  'typeform',
  'calendly',
  'hubspot',
  'meta',
  'zoom',
  'tally',
  'jotform',
  'webflow',
  'calcom',
  'stripe',
  'shopify',
  'intercom',
  'paddle',
  'twilio',
  'mandrill',
  'github',
  'slack',
  'pipedrive',
  'mailchimp',
  'flat',
] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const Name = v.pipe(
  v.string(),
  v.regex(NAME_PATTERN, 'must be lowercase letters, digits, - or _ (a URL segment)'),
);
const VarName = v.pipe(
  v.string(),
  v.regex(/^[A-Z][A-Z0-9_]*$/, 'must be an UPPER_SNAKE_CASE Worker var or secret name'),
);
const Region = v.pipe(
  v.string(),
  v.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US'),
  // `UK` looks like a code but is not one: the United Kingdom is GB.
  v.check(
    (code) => !/^[A-Z]{2}$/.test(code) || isSupportedCountry(code),
    'is not a country with a phone numbering plan (the UK is GB)',
  ),
);
const HttpUrl = v.pipe(v.string(), v.url('must be a URL'), v.regex(/^https?:\/\//, 'must be an http(s) URL'));
const Path = v.pipe(
  v.string(),
  v.check(isLeadPath, 'is not a lead field (email, first_name, utm.campaign, custom.<key>, tags, ...)'),
  v.transform((path) => path as LeadPath),
);
const Fields = v.record(v.pipe(v.string(), v.minLength(1)), Path);
const Constants = v.record(
  v.pipe(v.string(), v.minLength(1)),
  v.union([v.string(), v.number(), v.boolean()]),
);
const Keys = v.union([v.string(), v.pipe(v.array(v.string()), v.minLength(1, 'must list at least one'))]);

const EventKindSchema = v.picklist(['lead', 'update', 'ignore']);

const sourceBase = {
  /** Region for phones written without a country code. */
  region: v.optional(Region),
  /** Overrides the source type's policy per event type: `{ 'invitee.canceled': 'ignore' }`. */
  events: v.optional(v.record(v.pipe(v.string(), v.minLength(1)), EventKindSchema)),
  /** What an event type the policy does not list is. */
  otherEvents: v.optional(EventKindSchema),
  /** How long the hash of a body recognises a redelivery, when the provider sends no id (default 24). */
  dedupeWindowHours: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(24 * 365))),
  /** Worker secret with the source's secret(s); default `SOURCE_<NAME>_SECRET`. */
  secretVar: v.optional(VarName),
  description: v.optional(v.string()),
};

const PRESET_NAMES = Object.keys(presets) as [PresetName, ...PresetName[]];

export const SourceSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('flat'),
    /** How requests are verified: any preset (`inlet-hmac` for n8n and Make, `standard-webhooks`, ...). */
    verify: v.picklist(PRESET_NAMES),
    /** Payload keys per lead field, replacing the defaults for the fields named. */
    fields: v.optional(
      v.record(
        v.picklist(Object.keys(DEFAULT_FLAT_FIELD_MAP) as [keyof FlatFieldMap, ...(keyof FlatFieldMap)[]]),
        Keys,
      ) as v.GenericSchema<Record<string, string | string[]>, FlatFieldMap>,
    ),
    ...sourceBase,
  }),
  v.strictObject({
    type: v.picklist(
      SOURCE_TYPES.filter((type) => type !== 'flat') as [
        Exclude<SourceType, 'flat'>,
        ...Exclude<SourceType, 'flat'>[],
      ],
    ),
    /**
     * Verification other than the provider's own: for senders that cannot sign, such as Webflow's
     * dashboard webhooks (`url-token`: a secret in the URL; weaker, see docs/providers.md).
     */
    verify: v.optional(v.picklist(PRESET_NAMES)),
    ...sourceBase,
  }),
]);

const health = {
  /** Destination health: how soon a paused destination is probed again, and when failures open the circuit. */
  health: v.optional(
    v.strictObject({
      /** First probe this long after a pause; doubles up to an hour. */
      probeSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3600))),
      /** This many failed calls in a row (a batch call counts once) pause the destination as down. */
      failureThreshold: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(10_000))),
    }),
  ),
  /**
   * Seconds the destination's search may lag behind a write. A create whose answer was lost is
   * retried no sooner, so the retry's search finds the record the lost create made.
   */
  searchLagSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(3600))),
  /** Base URL; a Worker var `urlVar` (default `DESTINATION_<NAME>_URL`) overrides it. */
  url: v.optional(HttpUrl),
  urlVar: v.optional(VarName),
  description: v.optional(v.string()),
};

export const DestinationSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('webhook'),
    /** Secret (`whsec_…`) deliveries are signed with; default `DESTINATION_<NAME>_SECRET`. */
    secretVar: v.optional(VarName),
    ...health,
  }),
  v.strictObject({
    type: v.literal('hubspot'),
    /** Private-app token; default `DESTINATION_<NAME>_TOKEN`. */
    tokenVar: v.optional(VarName),
    fields: v.optional(Fields),
    constants: v.optional(Constants),
    ...health,
  }),
  v.strictObject({
    type: v.literal('pipedrive'),
    tokenVar: v.optional(VarName),
    /** Custom-field keys (40 hex characters) to lead paths. */
    fields: v.optional(Fields),
    constants: v.optional(Constants),
    /** Lead tag (`campaign:webinar`) to a person label id. */
    labels: v.optional(v.record(v.string(), v.pipe(v.number(), v.integer()))),
    ...health,
  }),
  v.strictObject({
    type: v.literal('salesforce'),
    clientIdVar: v.optional(VarName),
    /** The connected app's consumer secret; default `DESTINATION_<NAME>_CLIENT_SECRET`. */
    secretVar: v.optional(VarName),
    object: v.optional(v.picklist(['Lead', 'Contact'])),
    externalIdField: v.optional(
      v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a field API name')),
    ),
    apiVersion: v.optional(v.pipe(v.string(), v.regex(/^v\d+\.\d$/, 'must look like v62.0'))),
    fields: v.optional(Fields),
    constants: v.optional(Constants),
    ...health,
  }),
]);

const OneOrMany = v.union([Name, v.pipe(v.array(Name), v.minLength(1))]);

export const RouteSchema = v.strictObject({
  from: OneOrMany,
  to: OneOrMany,
  /**
   * Only leads whose fields match: `{ campaign: 'webinar-*' }`. Every key must match; a list
   * matches any of its patterns; `*` matches any run of characters; `tags` matches any tag.
   */
  when: v.optional(v.record(Path, Keys)),
});

const AlertKindSchema = v.picklist(ALERT_KINDS);

/** Which alerts a channel gets: every kind, source and destination unless narrowed. */
const alertFilter = {
  kinds: v.optional(v.array(AlertKindSchema)),
  sources: v.optional(v.array(Name)),
  destinations: v.optional(v.array(Name)),
};

export const AlertChannelSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('slack'),
    /** Secret holding the incoming webhook's URL; default `ALERT_<NAME>_WEBHOOK_URL`. */
    webhookVar: v.optional(VarName),
    ...alertFilter,
  }),
  v.strictObject({
    type: v.literal('email'),
    /** An HTTP email API in the shape of Resend's `POST /emails`; a var `urlVar` overrides it. */
    url: v.optional(HttpUrl),
    urlVar: v.optional(VarName),
    /** Secret holding the API key; default `ALERT_<NAME>_TOKEN`. */
    tokenVar: v.optional(VarName),
    from: v.pipe(v.string(), v.minLength(3)),
    to: v.pipe(v.array(v.pipe(v.string(), v.email('must be an email address'))), v.minLength(1)),
    ...alertFilter,
  }),
]);

export const AlertsSchema = v.strictObject({
  /** Where the gateway's admin API is, for the links in messages. */
  adminUrl: v.optional(HttpUrl),
  /** Failures of one group within this many minutes are one summary; a quiet window closes it. */
  windowMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1440))),
  thresholds: v.optional(
    v.strictObject({
      /** Invalid leads of one source in a window before an alert. */
      invalid: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      /** Verification failures of one source in a window before an alert. */
      verification: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      /** Minutes a delivery may wait before the backlog alert. */
      backlogMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    }),
  ),
  channels: v.optional(v.record(Name, AlertChannelSchema), {}),
  /** The "Replay" button: who may click it, and the Slack app's signing secret. */
  slack: v.optional(
    v.strictObject({
      signingSecretVar: v.optional(VarName),
      allowedUsers: v.array(
        v.pipe(v.string(), v.regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id such as U012AB3CD')),
      ),
    }),
  ),
});

/**
 * How long raw payloads, headers and leads are kept. Older events keep their row (id, source,
 * status, times, error codes) and their place in the stats; what could identify a person is purged.
 */
export const RetentionSchema = v.strictObject({
  days: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3650)), 30),
});

export const InletConfigSchema = v.pipe(
  v.strictObject({
    sources: v.record(Name, SourceSchema),
    destinations: v.optional(v.record(Name, DestinationSchema), {}),
    routes: v.optional(v.array(RouteSchema), []),
    alerts: v.optional(AlertsSchema, {}),
    retention: v.optional(RetentionSchema, {}),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const { sources, destinations, routes } = dataset.value;
    // `a-b` and `a_b` would read the same secrets (SOURCE_A_B_SECRET): refuse the second.
    for (const [section, names] of [
      ['sources', Object.keys(sources)],
      ['destinations', Object.keys(destinations)],
    ] as const) {
      const seen = new Map<string, string>();
      // A name refused on its own is reported once, by its own check.
      for (const name of names.filter((n) => NAME_PATTERN.test(n))) {
        const key = name.toUpperCase().replaceAll('-', '_');
        const other = seen.get(key);
        if (other !== undefined)
          addIssue({
            message: `reads the same secrets as "${other}" (- and _ are the same in a secret's name)`,
            path: [
              {
                type: 'object',
                origin: 'value',
                input: dataset.value,
                key: section,
                value: dataset.value[section],
              },
              { type: 'object', origin: 'key', input: dataset.value[section], key: name, value: name },
            ],
          });
        seen.set(key, name);
      }
    }
    routes.forEach((route, i) => {
      for (const [side, names, known] of [
        ['from', route.from, sources],
        ['to', route.to, destinations],
      ] as const) {
        for (const name of typeof names === 'string' ? [names] : names) {
          if (!Object.hasOwn(known, name))
            addIssue({
              message: `names no ${side === 'from' ? 'source' : 'destination'} "${name}"`,
              path: [
                { type: 'object', origin: 'value', input: dataset.value, key: 'routes', value: routes },
                { type: 'array', origin: 'value', input: routes, key: i, value: route },
                { type: 'object', origin: 'value', input: route, key: side, value: names },
              ],
            });
        }
      }
    });
  }),
);

export type InletConfigInput = v.InferInput<typeof InletConfigSchema>;
export type InletConfig = v.InferOutput<typeof InletConfigSchema>;
export type SourceConfig = v.InferOutput<typeof SourceSchema>;
export type DestinationConfig = v.InferOutput<typeof DestinationSchema>;
export type RouteConfig = v.InferOutput<typeof RouteSchema>;
export type AlertsConfig = v.InferOutput<typeof AlertsSchema>;
export type AlertChannelConfig = v.InferOutput<typeof AlertChannelSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`inlet.config.ts is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The configuration, validated; throws a ConfigError listing each bad key as `sources.typeform.region: …`. */
export function parseConfig(input: unknown): InletConfig {
  const result = v.safeParse(InletConfigSchema, input);
  if (result.success) return result.output;
  throw new ConfigError(
    result.issues.map((issue) => {
      const path = (issue.path ?? []).map((item) => String(item.key)).join('.');
      return `${path || '(root)'}: ${issue.message}`;
    }),
  );
}

/** Identity with types, for `inlet.config.ts`: the editor checks the file as it is written. */
export const defineConfig = (config: InletConfigInput): InletConfigInput => config;

/** Convention for per-source and per-destination secrets and vars: `-` becomes `_`, upper-cased. */
export const varFor = (prefix: 'SOURCE' | 'DESTINATION' | 'ALERT', name: string, suffix: string): string =>
  `${prefix}_${name.toUpperCase().replaceAll('-', '_')}_${suffix}`;
