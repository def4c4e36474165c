/**
 * Lead platforms: form, scheduling, webinar and ad-lead tools, each with its preset and the mapping
 * from its real payload (src/leads/mappings/), as factories: inlet.config.ts names the sources.
 */
import { varFor } from '../config/schema';
import { optionalVar, settings } from '../config/settings';
import { DEFAULT_GRAPH_URL, fetchMetaLead } from '../enrich/meta-graph';
import { calcom, calendly, hubspot, jotform, meta, tally, typeform, webflow, zoom } from '../leads/mappings';
import { presets } from './presets';
import { defineSource, type SourceFactory } from './types';

const typeformSource: SourceFactory = (name, options) =>
  defineSource({
    ...options,
    name,
    preset: presets.typeform,
    schema: typeform.TypeformPayloadSchema,
    toLead: typeform.toLead,
  });

const calendlySource: SourceFactory = (name, options) =>
  defineSource({
    ...options,
    name,
    preset: presets.calendly,
    schema: calendly.CalendlyPayloadSchema,
    toLead: calendly.toLead,
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
    schema: zoom.ZoomPayloadSchema,
    toLead: zoom.toLead,
  });

const tallySource: SourceFactory = (name, options) =>
  defineSource({
    ...options,
    name,
    preset: presets.tally,
    schema: tally.TallyPayloadSchema,
    toLead: tally.toLead,
  });

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
  });

const calcomSource: SourceFactory = (name, options) =>
  defineSource({
    ...options,
    name,
    preset: presets.calcom,
    schema: calcom.CalcomPayloadSchema,
    toLead: calcom.toLead,
  });

/**
 * Meta Lead Ads: the webhook names leads by id only. Each `leadgen` change becomes its own event
 * (deduped on its `leadgen_id`); delivering it first reads the lead from the Graph API with the
 * Page access token in `SOURCE_<NAME>_PAGE_TOKEN`.
 */
const metaSource: SourceFactory = (name, options) => {
  const pageTokenVar = varFor('SOURCE', name, 'PAGE_TOKEN');
  return defineSource({
    ...options,
    name,
    preset: presets.meta,
    verifyTokenVar: varFor('SOURCE', name, 'VERIFY_TOKEN'),
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
