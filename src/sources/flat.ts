/**
 * A source of flat JSON leads (`{ "email": ..., "firstName": ... }`), as n8n, Make, Zapier and
 * hand-written senders post them, mapped by the flat field map (src/leads/mappings/flat.ts): the
 * defaults, with the configuration's `fields` replacing them for the fields it names.
 */
import { type FlatFieldMap, flatLead } from '../leads/mappings/flat';
import type { Preset, Source, SourceOptions } from './types';
import { defineSource } from './types';

export const flatSource = (
  name: string,
  preset: Preset,
  options: SourceOptions,
  fields?: FlatFieldMap,
): Source => {
  const mapping = flatLead(fields);
  return defineSource({ ...options, name, preset, schema: mapping.schema, toLead: mapping.toLead });
};
