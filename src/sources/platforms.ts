/**
 * Lead platforms: form, scheduling, webinar and ad-lead tools, each with its preset, the mapping
 * from its real payload (src/leads/mappings/), and which of the deliveries its subscription sends
 * are leads (docs/providers.md lists them). Factories: inlet.config.ts names the sources.
 */
import * as v from 'valibot';
import { varFor } from '../config/schema';
import { optionalVar, settings } from '../config/settings';
import { DEFAULT_GRAPH_URL, fetchMetaLead } from '../enrich/meta-graph';
import { calcom, calendly, hubspot, jotform, meta, tally, typeform, webflow, zoom } from '../leads/mappings';
import { validatePayload } from '../pipeline/parse';
import { presets } from './presets';
import { textAt } from './presets/payload';
import { defineSource, type EventPolicy, type SourceFactory } from './types';

/** A policy: the listed types, everything else ignored (acknowledged, kept, never delivered). */
const only = (types: EventPolicy['types']): EventPolicy => ({ types, other: 'ignore' });

const typeformSource: SourceFactory = (name, options) =>
  defineSource({
    ...options,
    name,
    preset: presets.typeform,
    schema: typeform.TypeformPayloadSchema,
    toLead: typeform.toLead,
    eventType: (payload) => textAt(payload, 'event_type'),
    // The "Send test request" button sends a form_response too: it is a lead like any other.
    events: only({ form_response: 'lead' }),
  });

const calendlySource: SourceFactory = (name, options) =>
  defineSource({
    ...options,
    name,
    preset: presets.calendly,
    schema: calendly.CalendlyPayloadSchema,
    toLead: calendly.toLead,
    eventType: (payload) => textAt(payload, 'event'),
    events: only({
      'invitee.created': 'lead',
      'invitee.canceled': 'update',
      'invitee_no_show.created': 'update',
      'routing_form_submission.created': 'lead',
    }),
  });

const hubspotSource: SourceFactory = (name, options) =>
  defineSource({
    ...options,
    name,
    preset: presets.hubspot,
    schema: hubspot.HubspotPayloadSchema,
    toLead: hubspot.toLead,
  });

const zoomSource: SourceFactory = (name, options) =>
  defineSource({
    ...options,
    name,
    preset: presets.zoom,
    // Zoom's URL validation is answered before this runs.
    schema: zoom.ZoomPayloadSchema,
    toLead: zoom.toLead,
    eventType: (payload) => textAt(payload, 'event'),
    events: only({
      'webinar.registration_created': 'lead',
      'meeting.registration_created': 'lead',
      'webinar.registration_approved': 'lead',
      'meeting.registration_approved': 'lead',
      'webinar.registration_cancelled': 'update',
      'meeting.registration_cancelled': 'update',
      'webinar.registration_denied': 'update',
      'meeting.registration_denied': 'update',
    }),
  });

const tallySource: SourceFactory = (name, options) =>
  defineSource({
    ...options,
    name,
    preset: presets.tally,
    schema: tally.TallyPayloadSchema,
    toLead: tally.toLead,
    eventType: (payload) => textAt(payload, 'eventType'),
    events: only({ FORM_RESPONSE: 'lead' }),
  });

/** Jotform sends nothing but submissions. */
const jotformSource: SourceFactory = (name, options) =>
  defineSource({
    ...options,
    name,
    preset: presets.jotform,
    schema: jotform.JotformPayloadSchema,
    toLead: jotform.toLead,
  });

const webflowSource: SourceFactory = (name, options) =>
  defineSource({
    ...options,
    name,
    preset: presets.webflow,
    schema: webflow.WebflowPayloadSchema,
    toLead: webflow.toLead,
    // API v2 names the trigger; the older shape (v1, dashboard webhooks) is always a form submission.
    eventType: (payload) => textAt(payload, 'triggerType') ?? 'form_submission',
    events: only({ form_submission: 'lead' }),
  });

const calcomSource: SourceFactory = (name, options) =>
  defineSource({
    ...options,
    name,
    preset: presets.calcom,
    schema: calcom.CalcomPayloadSchema,
    toLead: calcom.toLead,
    eventType: (payload) => textAt(payload, 'triggerEvent'),
    // PING (the settings page's "Ping test"), meeting and recording events are not leads.
    events: only({
      BOOKING_CREATED: 'lead',
      BOOKING_REQUESTED: 'lead',
      BOOKING_RESCHEDULED: 'lead',
      FORM_SUBMITTED: 'lead',
      BOOKING_CANCELLED: 'update',
      BOOKING_REJECTED: 'update',
      BOOKING_NO_SHOW_UPDATED: 'update',
    }),
  });

/** The Page webhook's envelope, as tolerant as Meta's own samples need: ids may be numbers. */
const MetaEnvelopeSchema = v.looseObject({
  object: v.string(),
  entry: v.array(
    v.looseObject({
      changes: v.optional(v.array(v.looseObject({ field: v.string(), value: v.optional(v.unknown()) })), []),
    }),
  ),
});

/**
 * Meta Lead Ads: the webhook names leads by id only. Each change becomes its own event (a `leadgen`
 * one deduped on its `leadgen_id`); delivering it first reads the lead from the Graph API with the
 * Page access token in `SOURCE_<NAME>_PAGE_TOKEN`. Changes of other Page fields are ignored.
 */
const metaSource: SourceFactory = (name, options) => {
  const pageTokenVar = varFor('SOURCE', name, 'PAGE_TOKEN');
  return defineSource({
    ...options,
    name,
    preset: presets.meta,
    verifyTokenVar: varFor('SOURCE', name, 'VERIFY_TOKEN'),
    schema: meta.MetaPayloadSchema,
    split(payload) {
      const envelope = validatePayload(MetaEnvelopeSchema, payload);
      return envelope.entry.flatMap((entry) =>
        entry.changes.map((change) => ({
          object: envelope.object,
          entry: [{ ...entry, changes: [change] }],
        })),
      );
    },
    eventType: (payload) => textAt(payload, 'entry', 0, 'changes', 0, 'field'),
    events: only({ leadgen: 'lead' }),
    async toLead(payload, env) {
      const [ref] = meta.leadgenRefs(payload);
      if (!ref) throw new Error('no leadgen change in the payload');
      const lead = await fetchMetaLead(ref.leadgen_id, {
        graphUrl: optionalVar(env, 'META_GRAPH_URL') ?? DEFAULT_GRAPH_URL,
        pageToken: optionalVar(env, pageTokenVar),
        timeoutMs: settings(env).deliveryTimeoutMs,
      });
      return meta.metaFieldDataToLead(lead);
    },
  });
};

/** The lead platforms, by source type. */
export const platformSources = {
  typeform: typeformSource,
  calendly: calendlySource,
  hubspot: hubspotSource,
  meta: metaSource,
  zoom: zoomSource,
  tally: tallySource,
  jotform: jotformSource,
  webflow: webflowSource,
  calcom: calcomSource,
} as const satisfies Record<string, SourceFactory>;
