/**
 * A flat JSON lead from an n8n or Make workflow, signed with Inlet's generic HMAC scheme:
 * HMAC-SHA256 hex over `${timestamp}.${body}` with a UTF-8 secret, which n8n's Crypto node and
 * Make's `sha256(text; "hex"; key)` can both produce (docs/providers.md shows the workflows).
 */
import { genericHmac, INLET_HMAC } from '../verify/generic-hmac';
import { FlatLeadSchema, flatToLead } from './flat';
import { defineSource } from './types';

export const n8n = defineSource({
  name: 'n8n',
  preset: { name: 'inlet-hmac', verifier: genericHmac(INLET_HMAC) },
  secretVar: 'SOURCE_N8N_SECRET',
  schema: FlatLeadSchema,
  toLead: flatToLead,
  destination: 'crm',
  defaultRegion: 'US',
});
