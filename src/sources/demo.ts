/** The sample source: a flat JSON lead signed with Standard Webhooks (`whsec_` secret). */
import { flatSource } from './flat';
import { presets } from './presets';

export const demo = flatSource('demo', presets['standard-webhooks']);
