/**
 * Who a lead is, without storing who they are: person keys are SHA-256 digests of the normalised
 * email and phone, so the people table can match repeats while holding no contact data in its
 * index. Pure (WebCrypto only), so it runs in the Worker and in Node alike.
 */
import { sha256Hex as sha256Bytes, utf8 } from '../verify/crypto';
import type { Lead, Original } from './lead';

export interface PersonKeys {
  /** Hex SHA-256 of `email:<normalised email>`. */
  email?: string;
  /** Hex SHA-256 of `phone:<E.164 phone>`. */
  phone?: string;
}

/**
 * The kind prefix keeps the two key spaces apart: no email can ever hash to the key of a phone.
 * Only normalised values are hashed, so "Ana@X.com " and "ana@x.com" are the same person.
 */
export async function personKeys(lead: Pick<Lead, 'email' | 'phone'>): Promise<PersonKeys> {
  const keys: PersonKeys = {};
  if (lead.email) keys.email = await sha256Hex(`email:${lead.email}`);
  if (lead.phone) keys.phone = await sha256Hex(`phone:${lead.phone}`);
  return keys;
}

/** Why a lead breaks the contract: stable codes, stored on the event and shown in the admin API. */
export type LeadContractProblem = 'no_contact';

/**
 * A lead no one can contact (no valid email, no valid phone) is stored with status `invalid` and
 * not delivered: a CRM record without a way to reach the person is noise for sales.
 */
export function leadContractProblem(lead: Pick<Lead, 'email' | 'phone'>): LeadContractProblem | undefined {
  return lead.email || lead.phone ? undefined : 'no_contact';
}

const SCALARS = [
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
] as const satisfies readonly (keyof Lead)[];

/**
 * Folds a repeat of the same person within the dedupe window into one lead: every non-empty value
 * of the newer lead wins, empty ones do not erase what the older lead knew; tags, custom fields
 * and flags are unions. An original value travels with the value it explains; when that value has
 * none, the other lead's original is kept, so every flag stays explained.
 */
export function mergeLeads(older: Lead, newer: Lead): Lead {
  const merged: Lead = {
    normalizer_version: newer.normalizer_version,
    source: newer.source,
    utm: pickNewer(older.utm, newer.utm),
    tags: union(older.tags, newer.tags),
    consent: pickNewer(older.consent, newer.consent),
    custom: { ...older.custom, ...newer.custom },
    original: {},
    flags: union(older.flags, newer.flags),
  };
  for (const field of SCALARS) {
    const value = present(newer[field]) ?? present(older[field]);
    if (value !== undefined) merged[field] = value;
  }
  // What happened is the newer event's alone: a booking after a cancellation is no cancellation.
  if (newer.event !== undefined) merged.event = newer.event;
  if (newer.status !== undefined) merged.status = newer.status;
  for (const field of Object.keys({ ...older.original, ...newer.original }) as (keyof Original)[]) {
    const fromNewer = present(newer[field]) !== undefined;
    const value = fromNewer ? newer.original[field] : (older.original[field] ?? newer.original[field]);
    if (value !== undefined) merged.original[field] = value;
  }
  return merged;
}

function present(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function pickNewer<T extends Record<string, string | boolean | undefined>>(older: T, newer: T): T {
  const merged: Record<string, string | boolean> = {};
  for (const key of new Set([...Object.keys(older), ...Object.keys(newer)])) {
    const value = newer[key] === '' || newer[key] === undefined ? older[key] : newer[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  return merged as T;
}

function union<T extends string>(a: readonly T[], b: readonly T[]): T[] {
  return [...new Set([...a, ...b])].sort();
}

const sha256Hex = (text: string): Promise<string> => sha256Bytes(utf8(text));
