/**
 * Field mapping from a lead to a destination's properties: `{ crm_property: 'lead.path' }`, plus
 * constants. One notation for every adapter, validated with the configuration, so a user maps
 * `utm.campaign` to a HubSpot property or `custom.budget` to a Salesforce field the same way.
 */
import type { Lead } from '../leads/lead';

export type FieldValue = string | number | boolean;

/** Lead paths a mapping may name (besides `custom.<key>`). */
export const LEAD_PATHS = [
  'email',
  'phone',
  'first_name',
  'last_name',
  'full_name',
  'company',
  'job_title',
  'country',
  'city',
  'form',
  'campaign',
  'source',
  'tags',
  'utm.source',
  'utm.medium',
  'utm.campaign',
  'utm.term',
  'utm.content',
  'consent.marketing',
  'consent.terms',
  'normalizer_version',
  'event',
  'status',
] as const;

export type LeadPath = (typeof LEAD_PATHS)[number] | `custom.${string}`;

export const isLeadPath = (path: string): path is LeadPath =>
  (LEAD_PATHS as readonly string[]).includes(path) || /^custom\.[^.]+$/.test(path);

/** The value at a lead path; tags are joined with `;` (the multi-select separator HubSpot and Salesforce use). */
export function leadValue(lead: Lead, path: LeadPath): FieldValue | undefined {
  if (path === 'tags') return lead.tags.length ? lead.tags.join(';') : undefined;
  if (path.startsWith('custom.')) {
    const key = path.slice('custom.'.length);
    // Own keys only: `custom.constructor` must not reach Object.prototype.
    const value = Object.hasOwn(lead.custom, key) ? lead.custom[key] : undefined;
    return value === null ? undefined : value;
  }
  const [head, tail] = path.split('.') as [keyof Lead, string | undefined];
  const value = lead[head];
  if (tail === undefined) return typeof value === 'object' ? undefined : (value as FieldValue | undefined);
  const nested = (value as Record<string, FieldValue | undefined> | undefined)?.[tail];
  return nested;
}

/**
 * The destination's properties for this lead: every mapped path that has a value, then the
 * constants (a constant wins: it is what the user asked to always send).
 */
export function mapFields(
  lead: Lead,
  fields: Readonly<Record<string, LeadPath>>,
  constants: Readonly<Record<string, FieldValue>> = {},
): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const [property, path] of Object.entries(fields)) {
    const value = leadValue(lead, path);
    if (value !== undefined && value !== '') out[property] = value;
  }
  return { ...out, ...constants };
}
