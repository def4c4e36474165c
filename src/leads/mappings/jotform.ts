/**
 * Jotform submission webhook: `application/x-www-form-urlencoded` (or multipart) fields, of which
 * `rawRequest` is a JSON string holding the answers keyed `q<id>_<unique name>`. Compound widgets
 * send objects: a full name `{ first, last }`, a phone `{ full }` (older forms `{ area, phone }`),
 * an address `{ addr_line1, city, country, ... }`. Answers are matched by unique name, so name lead
 * questions `email`, `phoneNumber`, `company`, `utm_source` in the form builder.
 */
import * as v from 'valibot';
import type { LeadInput } from '../lead';
import { consentFieldFor, LeadDraft, leadFieldFor } from './fields';

export const JotformPayloadSchema = v.looseObject({
  formID: v.string(),
  submissionID: v.string(),
  formTitle: v.optional(v.string()),
  rawRequest: v.pipe(v.string(), v.parseJson(), v.record(v.string(), v.unknown())),
});
export type JotformPayload = v.InferOutput<typeof JotformPayloadSchema>;

const ANSWER_KEY = /^q\d+_(.+)$/;

export function toLead(payload: JotformPayload): LeadInput {
  const draft = new LeadDraft();
  for (const [key, value] of Object.entries(payload.rawRequest)) {
    const name = ANSWER_KEY.exec(key)?.[1];
    // Everything else in rawRequest is Jotform's own: slug, event_id, timeToSubmit, ...
    if (name !== undefined) putAnswer(draft, name, value);
  }
  draft.set('form', payload.formTitle ?? payload.formID);
  return draft.build();
}

function putAnswer(draft: LeadDraft, name: string, value: unknown): void {
  if (isRecord(value)) {
    if ('first' in value || 'last' in value) {
      draft.set('first_name', value.first);
      draft.set('last_name', value.last);
    } else if ('full' in value || 'phone' in value) {
      const national = [value.area, value.phone].filter((part) => typeof part === 'string').join('');
      draft.set('phone', value.full || national);
    } else if ('addr_line1' in value || 'city' in value) {
      draft.set('city', value.city);
      draft.set('country', value.country);
    }
    return;
  }
  const consent =
    Array.isArray(value) && leadFieldFor(name) === undefined ? consentFieldFor(name) : undefined;
  if (consent !== undefined && draft.setConsent(consent, value)) return;
  draft.put(name, value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
