/**
 * A flat JSON lead, as an n8n or Make scenario posts it: `{ "email": ..., "firstName": ..., ... }`.
 * Which key feeds which lead field is a field map, so a scenario built before Inlet existed can be
 * pointed at it unchanged. Keys match loosely (`first_name`, `firstName`, `First Name` are one
 * key) and may be dotted paths into nested objects (`contact.email`). Keys the map does not
 * name go to `custom` when their value is text, a number or a boolean.
 */
import * as v from 'valibot';
import type { LeadInput } from '../lead';
import { type ConsentField, fieldKey, LeadDraft, type LeadTextField } from './fields';

/** For each lead field, the payload keys that may hold it, in order of preference. */
export type FlatFieldMap = Partial<Record<LeadTextField | ConsentField, string | readonly string[]>>;

export const DEFAULT_FLAT_FIELD_MAP = {
  email: ['email', 'email_address', 'work_email'],
  phone: ['phone', 'phone_number', 'mobile', 'mobile_phone', 'tel'],
  first_name: ['first_name', 'given_name', 'fname'],
  last_name: ['last_name', 'family_name', 'surname', 'lname'],
  full_name: ['full_name', 'name'],
  company: ['company', 'company_name', 'organization', 'organisation'],
  job_title: ['job_title', 'title', 'position', 'role'],
  country: ['country', 'country_code'],
  city: ['city'],
  form: ['form', 'form_name'],
  campaign: ['campaign', 'campaign_name'],
  utm_source: ['utm_source'],
  utm_medium: ['utm_medium'],
  utm_campaign: ['utm_campaign'],
  utm_term: ['utm_term'],
  utm_content: ['utm_content'],
  consent_marketing: ['consent_marketing', 'marketing_consent', 'marketing_opt_in', 'newsletter'],
  consent_terms: ['consent_terms', 'terms_accepted', 'accept_terms', 'gdpr_consent'],
} as const satisfies FlatFieldMap;

const CONSENT_FIELDS: readonly string[] = ['consent_marketing', 'consent_terms'] satisfies ConsentField[];

type FlatPayload = Record<string, unknown>;

export interface FlatLeadMapping {
  schema: v.GenericSchema<unknown, FlatPayload>;
  toLead(payload: FlatPayload): LeadInput;
}

/** A schema and mapping for flat leads; `fieldMap` entries replace the default's for their field. */
export function flatLead(fieldMap: FlatFieldMap = {}): FlatLeadMapping {
  const map: FlatFieldMap = { ...DEFAULT_FLAT_FIELD_MAP, ...fieldMap };
  const entries = Object.entries(map).map(
    ([field, keys]) =>
      [field as LeadTextField | ConsentField, typeof keys === 'string' ? [keys] : (keys ?? [])] as const,
  );

  const contactKeys = entries
    .filter(([field]) => field === 'email' || field === 'phone')
    .flatMap(([, keys]) => keys);

  const schema = v.pipe(
    v.custom<FlatPayload>(
      (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
      'a lead is a JSON object',
    ),
    // Strict only where it matters: a mapped field that holds an object is a scenario bug, reported
    // at its own path so the sender sees which one.
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      for (const [, keys] of entries) {
        for (const key of keys) {
          const found = lookup(dataset.value, key);
          if (found === undefined || isScalar(found.value)) continue;
          // The path is the key this source reads, not the sender's spelling of it: a loose match
          // (`Email (Ada Lovelace)` for `email`) would echo whatever else the sender wrote in the key.
          addIssue({
            message: 'mapped lead fields must be text, numbers or booleans',
            expected: 'text, a number or a boolean',
            path: [{ type: 'object', origin: 'value', input: dataset.value, key, value: found.value }],
          });
        }
      }
      // A lead nobody can contact is refused at once, so the sender learns it now, not from an
      // `invalid` event later. A contact present but unusable (a malformed email) is still kept.
      const hasContact = contactKeys.some((key) => {
        const found = lookup(dataset.value, key);
        return (
          found !== undefined &&
          (typeof found.value === 'number' || (typeof found.value === 'string' && found.value.trim() !== ''))
        );
      });
      if (!hasContact)
        addIssue({
          message:
            'no email or phone at the keys this source reads; a contact under another key needs a field map (docs/configuration.md)',
          expected: 'an email or a phone',
          path: [{ type: 'object', origin: 'value', input: dataset.value, key: 'email', value: undefined }],
        });
    }),
  );

  return {
    schema,
    toLead(payload) {
      const draft = new LeadDraft();
      const used = new Set<string>();
      for (const [field, keys] of entries) {
        for (const key of keys) {
          const found = lookup(payload, key);
          if (found === undefined) continue;
          used.add(found.key);
          if (CONSENT_FIELDS.includes(field)) draft.setConsent(field as ConsentField, found.value);
          else draft.set(field as LeadTextField, found.value);
        }
      }
      for (const [key, value] of Object.entries(payload)) {
        if (!used.has(key)) draft.custom(key, value);
      }
      return draft.build();
    },
  };
}

/** The value at `key`: an exact top-level key, a dotted path, or a top-level key spelled differently. */
function lookup(payload: FlatPayload, key: string): { key: string; value: unknown } | undefined {
  if (Object.hasOwn(payload, key)) return { key, value: payload[key] };
  if (key.includes('.')) {
    let value: unknown = payload;
    for (const step of key.split('.')) {
      if (typeof value !== 'object' || value === null || !Object.hasOwn(value, step)) return undefined;
      value = (value as Record<string, unknown>)[step];
    }
    return { key: key.split('.')[0] ?? key, value };
  }
  const match = looseKeys(payload).get(looseKey(key));
  return match === undefined ? undefined : { key: match, value: payload[match] };
}

// Each payload key normalised once, not once per mapped field: a form of 10,000 keys would
// otherwise cost the Worker about 45 × 10,000 normalisations.
const looseIndex = new WeakMap<FlatPayload, Map<string, string>>();

/** The payload's keys by their loose spelling; the first key of a spelling wins, as a scan would. */
function looseKeys(payload: FlatPayload): Map<string, string> {
  let index = looseIndex.get(payload);
  if (!index) {
    index = new Map();
    for (const candidate of Object.keys(payload)) {
      const spelling = fieldKey(candidate);
      if (!index.has(spelling)) index.set(spelling, candidate);
    }
    looseIndex.set(payload, index);
  }
  return index;
}

// The keys a field map reads come from the configuration: a fixed set, each spelled once.
const mapKeys = new Map<string, string>();

/** fieldKey() of a key a field map reads, computed once per isolate. */
function looseKey(key: string): string {
  const known = mapKeys.get(key);
  if (known !== undefined) return known;
  const spelling = fieldKey(key);
  mapKeys.set(key, spelling);
  return spelling;
}

function isScalar(value: unknown): boolean {
  return value === undefined || value === null || ['string', 'number', 'boolean'].includes(typeof value);
}
