/** The sample source: a flat JSON lead signed with Standard Webhooks (`whsec_` secret). */
import { flatLead } from '../leads/mappings/flat';
import { presets } from './presets';
import { defineSource } from './types';

const flat = flatLead();

export const demo = defineSource({
  name: 'demo',
  preset: presets['standard-webhooks'],
  secretVar: 'SOURCE_DEMO_SECRET',
  schema: flat.schema,
  toLead: flat.toLead,
  destination: 'crm',
  defaultRegion: 'US',
});
