/**
 * Every source Inlet accepts, by the name in its URL (`POST /in/:source`). Adding a source is a
 * `defineSource` in one file and one line here. The local configuration ships one per preset, with
 * development secrets in `.dev.vars.example`, so each can be tried on `wrangler dev`.
 */
import { demo } from './demo';
import { n8n } from './n8n';
import {
  calcomSource,
  calendlySource,
  hubspotSource,
  jotformSource,
  metaSource,
  tallySource,
  typeformSource,
  webflowSource,
  zoomSource,
} from './platforms';
import type { Source } from './types';
import {
  githubSource,
  intercomSource,
  mailchimpSource,
  mandrillSource,
  paddleSource,
  pipedriveSource,
  shopifySource,
  slackSource,
  stripeSource,
  svixSource,
  twilioSource,
  zapierSource,
} from './webhooks';

// Sources are heterogeneous in their payload type; the registry only needs the common surface.
// biome-ignore lint/suspicious/noExplicitAny: each Source checks its own payload type where it is defined.
const SOURCES: readonly Source<any>[] = [
  demo,
  n8n,
  typeformSource,
  calendlySource,
  hubspotSource,
  metaSource,
  zoomSource,
  tallySource,
  jotformSource,
  webflowSource,
  calcomSource,
  stripeSource,
  svixSource,
  githubSource,
  shopifySource,
  slackSource,
  twilioSource,
  paddleSource,
  mandrillSource,
  intercomSource,
  pipedriveSource,
  zapierSource,
  mailchimpSource,
];

const BY_NAME = new Map<string, Source>(SOURCES.map((source) => [source.name, source]));

export function findSource(name: string): Source | undefined {
  return BY_NAME.get(name);
}
