/**
 * The sources of inlet.config.ts, built once per isolate: `POST /in/:source` and the consumer look
 * a source up here by the name in its URL. Adding a source is an entry in the configuration file.
 */
import { config } from '../config';
import { type SourceConfig, type SourceType, varFor } from '../config/schema';
import { flatSource } from './flat';
import { platformSources } from './platforms';
import { presets } from './presets';
import type { Preset, Source, SourceFactory, SourceOptions } from './types';
import { contactSources } from './webhooks';

const FACTORIES: Record<Exclude<SourceType, 'flat'>, SourceFactory> = {
  ...platformSources,
  ...contactSources,
};

export function buildSource(name: string, entry: SourceConfig): Source {
  const options: SourceOptions = {
    secretVar: entry.secretVar ?? varFor('SOURCE', name, 'SECRET'),
    ...(entry.region ? { defaultRegion: entry.region } : {}),
  };
  const source =
    entry.type === 'flat'
      ? flatSource(name, presets[entry.verify], options, entry.fields)
      : FACTORIES[entry.type](name, options);
  // The configuration's word wins over the source type's defaults.
  return {
    ...source,
    ...(entry.type !== 'flat' && entry.verify
      ? { preset: verifiedBy(source.preset, presets[entry.verify]) }
      : {}),
    events: {
      types: { ...source.events.types, ...entry.events },
      other: entry.otherEvents ?? source.events.other,
    },
    ...(entry.dedupeWindowHours === undefined
      ? {}
      : { dedupeWindowMs: entry.dedupeWindowHours * 3600 * 1000 }),
  };
}

/**
 * The provider's handshakes and ids, with another preset's verification: a platform whose sender
 * cannot sign (a dashboard-made webhook) keeps its mapping and ids, verified by a URL token.
 */
const verifiedBy = (provider: Preset, verification: Preset): Preset => ({
  ...provider,
  name: `${provider.name}+${verification.name}`,
  verifier: verification.verifier,
});

const BY_NAME = new Map<string, Source>(
  Object.entries(config.sources).map(([name, entry]) => [name, buildSource(name, entry)]),
);

export function findSource(name: string): Source | undefined {
  return BY_NAME.get(name);
}
