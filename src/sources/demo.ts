/** The sample source: a flat JSON lead signed with Standard Webhooks (`whsec_` secret). */
import { standardWebhooks } from '../verify/standard-webhooks';
import { FlatLeadSchema, flatToLead } from './flat';
import { defineSource } from './types';

export const demo = defineSource({
  name: 'demo',
  preset: { name: 'standard-webhooks', verifier: standardWebhooks() },
  secretVar: 'SOURCE_DEMO_SECRET',
  schema: FlatLeadSchema,
  toLead: flatToLead,
  destination: 'crm',
  defaultRegion: 'US',
});
