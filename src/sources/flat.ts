/**
 * A source of flat JSON leads (`{ "email": ..., "firstName": ... }`), as n8n, Make, Zapier and
 * hand-written senders post them, mapped by the default flat field map (src/leads/mappings/flat.ts).
 */
import { flatLead } from '../leads/mappings/flat';
import { defineSource, type Preset, secretVarFor } from './types';

const flat = flatLead();

export const flatSource = (name: string, preset: Preset) =>
  defineSource({
    name,
    preset,
    secretVar: secretVarFor(name),
    schema: flat.schema,
    toLead: flat.toLead,
    destination: 'crm',
    defaultRegion: 'US',
  });
