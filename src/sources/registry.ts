/**
 * Every source Inlet accepts, by the name in its URL (`POST /in/:source`). Adding a source is one
 * file and one line here.
 */
import { demo } from './demo';
import { n8n } from './n8n';
import type { Source } from './types';

// Sources are heterogeneous in their payload type; the registry only needs the common surface.
// biome-ignore lint/suspicious/noExplicitAny: each Source checks its own payload type where it is defined.
const SOURCES: readonly Source<any>[] = [demo, n8n];

const BY_NAME = new Map<string, Source>(SOURCES.map((source) => [source.name, source]));

export function findSource(name: string): Source | undefined {
  return BY_NAME.get(name);
}

export function allSources(): readonly Source[] {
  return [...BY_NAME.values()];
}
