/**
 * Lead platforms: form, scheduling, webinar and ad-lead tools, each with its preset, the mapping
 * from its real payload (src/leads/mappings/), and which of the deliveries its subscription sends
 * are leads (docs/providers.md lists them). Factories: inlet.config.ts names the sources.
 */
import * as v from 'valibot';
import { varFor } from '../config/schema';
import { optionalVar, settings } from '../config/settings';
import { DEFAULT_HUBSPOT_API_URL, fetchHubspotContact } from '../enrich/hubspot-crm';
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

/**
 * HubSpot, in both shapes that reach a webhook: a workflow's "Send a webhook" (one contact record,
 * or a form submission) and app webhooks (the Webhooks API: a JSON array of events naming contacts
 * by id). An array is split per contact: the events of one contact in one delivery (a creation
 * and its property changes) become one event, deduped on their event ids; its contact is read from
 * the CRM API with the private-app token in `SOURCE_<NAME>_ACCESS_TOKEN`.
 */
const hubspotSource: SourceFactory = (name, options) => {
  const tokenVar = varFor('SOURCE', name, 'ACCESS_TOKEN');
  return defineSource({
    ...options,
    name,
    preset: presets.hubspot,
    schema: hubspot.HubspotPayloadSchema,
    split(payload) {
      if (!Array.isArray(payload)) return [payload];
      const events = validatePayload(v.array(v.looseObject({})), payload);
      const byContact = new Map<string, unknown[]>();
      const rest: unknown[] = [];
      for (const event of events) {
        const objectId = textAt(event, 'objectId');
        const type = appEventType(event) ?? '';
        if (objectId === undefined || !type.startsWith('contact.')) {
          rest.push(event);
          continue;
        }
        // A creation and its property changes say "read this contact": one read, one delivery.
        // Any other type (a deletion, a merge) stays an event of its own.
        const key = `${CONTACT_CHANGES.has(type) ? 'changed' : type}:${objectId}`;
        byContact.set(key, [...(byContact.get(key) ?? []), event]);
      }
      return [...[...byContact.values()].map(collapse), ...rest];
    },
    eventType: (payload) => appEventType(payload) ?? 'workflow',
    events: only({
      workflow: 'lead',
      'contact.creation': 'lead',
      'contact.propertyChange': 'lead',
      'contact.restore': 'lead',
    }),
    async toLead(payload, env) {
      if (!v.is(hubspot.HubspotAppEventSchema, payload)) return hubspot.toLead(payload);
      const contact = await fetchHubspotContact(String(payload.objectId), {
        apiUrl: optionalVar(env, 'HUBSPOT_API_URL') ?? DEFAULT_HUBSPOT_API_URL,
        token: optionalVar(env, tokenVar),
        timeoutMs: settings(env).deliveryTimeoutMs,
      });
      return hubspot.toLead({ ...contact });
    },
  });
};

/** HubSpot's docs name it `subscriptionType`; their older samples, and older apps, `eventType`. */
const appEventType = (event: unknown): string | undefined =>
  textAt(event, 'subscriptionType') ?? textAt(event, 'eventType');

const CONTACT_CHANGES = new Set(['contact.creation', 'contact.propertyChange', 'contact.restore']);

/**
 * One contact's events of one delivery as one event: the first event, carrying every event id
 * (the idempotency key), so the contact is read and delivered once.
 */
function collapse(events: unknown[]): unknown {
  const [first] = events;
  if (events.length === 1) return first;
  const ids = events.map((event) => textAt(event, 'eventId') ?? '').join(',');
  return { ...(first as Record<string, unknown>), eventId: ids, collapsedEvents: events.length };
}

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
