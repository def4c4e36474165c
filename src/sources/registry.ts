/**
 * The sources of inlet.config.ts, built once per isolate: `POST /in/:source` and the consumer look
 * a source up here by the name in its URL. Adding a source is an entry in the configuration file.
 */
import { config } from '../config';
import { type SourceConfig, type SourceType, varFor } from '../config/schema';
import { flatSource } from './flat';
import { platformSources } from './platforms';
import { presets } from './presets';
import type { Source, SourceFactory, SourceOptions } from './types';
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
  return entry.type === 'flat'
    ? flatSource(name, presets[entry.verify], options, entry.fields)
    : FACTORIES[entry.type](name, options);
}

const BY_NAME = new Map<string, Source>(
  Object.entries(config.sources).map(([name, entry]) => [name, buildSource(name, entry)]),
);

export function findSource(name: string): Source | undefined {
  return BY_NAME.get(name);
}
