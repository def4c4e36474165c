/**
 * Lead platforms: form, scheduling, webinar and ad-lead tools, each with its preset and the mapping
 * from its real payload (src/leads/mappings/). One source per platform, named after it.
 */
import { optionalVar, settings } from '../config';
import { DEFAULT_GRAPH_URL, fetchMetaLead } from '../enrich/meta-graph';
import { calcom, calendly, hubspot, jotform, meta, tally, typeform, webflow, zoom } from '../leads/mappings';
import { presets } from './presets';
import { defineSource } from './types';

const base = { destination: 'crm', defaultRegion: 'US' } as const;

export const typeformSource = defineSource({
  ...base,
  name: 'typeform',
  preset: presets.typeform,
  secretVar: 'SOURCE_TYPEFORM_SECRET',
  schema: typeform.TypeformPayloadSchema,
  toLead: typeform.toLead,
});

export const calendlySource = defineSource({
  ...base,
  name: 'calendly',
  preset: presets.calendly,
  secretVar: 'SOURCE_CALENDLY_SECRET',
  schema: calendly.CalendlyPayloadSchema,
  toLead: calendly.toLead,
});

export const hubspotSource = defineSource({
  ...base,
  name: 'hubspot',
  preset: presets.hubspot,
  secretVar: 'SOURCE_HUBSPOT_SECRET',
  schema: hubspot.HubspotPayloadSchema,
  toLead: hubspot.toLead,
});

export const zoomSource = defineSource({
  ...base,
  name: 'zoom',
  preset: presets.zoom,
  secretVar: 'SOURCE_ZOOM_SECRET',
  // Zoom's URL validation is answered before this schema runs; every other event must be a registration.
  schema: zoom.ZoomPayloadSchema,
  toLead: zoom.toLead,
});

export const tallySource = defineSource({
  ...base,
  name: 'tally',
  preset: presets.tally,
  secretVar: 'SOURCE_TALLY_SECRET',
  schema: tally.TallyPayloadSchema,
  toLead: tally.toLead,
});

export const jotformSource = defineSource({
  ...base,
  name: 'jotform',
  preset: presets.jotform,
  secretVar: 'SOURCE_JOTFORM_SECRET',
  schema: jotform.JotformPayloadSchema,
  toLead: jotform.toLead,
});

export const webflowSource = defineSource({
  ...base,
  name: 'webflow',
  preset: presets.webflow,
  secretVar: 'SOURCE_WEBFLOW_SECRET',
  schema: webflow.WebflowPayloadSchema,
  toLead: webflow.toLead,
});

export const calcomSource = defineSource({
  ...base,
  name: 'calcom',
  preset: presets.calcom,
  secretVar: 'SOURCE_CALCOM_SECRET',
  schema: calcom.CalcomPayloadSchema,
  toLead: calcom.toLead,
});

/**
 * Meta Lead Ads: the webhook names leads by id only. Each `leadgen` change becomes its own event
 * (deduped on its `leadgen_id`); delivering it first reads the lead from the Graph API with the
 * Page access token in `SOURCE_META_PAGE_TOKEN`.
 */
export const metaSource = defineSource({
  ...base,
  name: 'meta',
  preset: presets.meta,
  secretVar: 'SOURCE_META_SECRET',
  verifyTokenVar: 'SOURCE_META_VERIFY_TOKEN',
  schema: meta.MetaPayloadSchema,
  split: (payload) =>
    payload.entry.flatMap((entry) =>
      entry.changes.map((change) => ({ object: payload.object, entry: [{ ...entry, changes: [change] }] })),
    ),
  async toLead(payload, env) {
    const [ref] = meta.leadgenRefs(payload);
    if (!ref) throw new Error('no leadgen change in the payload');
    const lead = await fetchMetaLead(ref.leadgen_id, {
      graphUrl: optionalVar(env, 'META_GRAPH_URL') ?? DEFAULT_GRAPH_URL,
      pageToken: optionalVar(env, 'SOURCE_META_PAGE_TOKEN'),
      timeoutMs: settings(env).deliveryTimeoutMs,
    });
    return meta.metaFieldDataToLead(lead);
  },
});
