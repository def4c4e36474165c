/**
 * Every platform mapping: a valibot schema of what the platform sends and a pure `toLead`.
 * Each is a namespace (`mappings.typeform.toLead`) because every module exports the same names.
 */
export * as calcom from './calcom';
export * as calendly from './calendly';
export type { FlatFieldMap, FlatLeadMapping } from './flat';
export { DEFAULT_FLAT_FIELD_MAP, flatLead } from './flat';
export * as hubspot from './hubspot';
export * as jotform from './jotform';
export * as meta from './meta';
export * as tally from './tally';
export * as typeform from './typeform';
export * as webflow from './webflow';
export * as zoom from './zoom';
