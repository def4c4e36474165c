/**
 * Tally `FORM_RESPONSE` webhook. Each field has a `type` and the question's `label`: email and
 * phone inputs are recognised by type, everything else by label; hidden fields (type
 * `HIDDEN_FIELDS`, label = the URL parameter) carry UTM values. Choice fields send option ids,
 * turned back into their text through `options`.
 */
import * as v from 'valibot';
import type { LeadInput } from '../lead';
import { consentFieldFor, LeadDraft } from './fields';

const FieldSchema = v.looseObject({
  key: v.string(),
  label: v.nullish(v.string()),
  type: v.string(),
  value: v.unknown(),
  options: v.optional(v.array(v.looseObject({ id: v.string(), text: v.string() }))),
});
export type TallyField = v.InferOutput<typeof FieldSchema>;

export const TallyPayloadSchema = v.looseObject({
  eventId: v.string(),
  eventType: v.literal('FORM_RESPONSE'),
  createdAt: v.string(),
  data: v.looseObject({
    responseId: v.string(),
    formId: v.string(),
    formName: v.string(),
    createdAt: v.string(),
    fields: v.array(FieldSchema),
  }),
});
export type TallyPayload = v.InferOutput<typeof TallyPayloadSchema>;

const CHOICE_TYPES = new Set(['MULTIPLE_CHOICE', 'DROPDOWN', 'CHECKBOXES', 'MULTI_SELECT', 'RANKING']);

export function toLead(payload: TallyPayload): LeadInput {
  const { fields, formName } = payload.data;
  const draft = new LeadDraft();
  for (const field of fields) {
    if (field.type === 'INPUT_EMAIL') draft.set('email', field.value);
    if (field.type === 'INPUT_PHONE_NUMBER') draft.set('phone', field.value);
  }
  for (const field of fields) {
    if (field.type === 'INPUT_EMAIL' || field.type === 'INPUT_PHONE_NUMBER') continue;
    // Tally repeats each option of a checkbox group as its own boolean field; the group itself
    // already carries the ticked options.
    if (field.type === 'CHECKBOXES' && typeof field.value === 'boolean') continue;
    const label = field.label ?? field.key;
    // A single checkbox ("I agree to the terms") sends a boolean; its label says which consent.
    const consent = field.type === 'CHECKBOX' ? consentFieldFor(label) : undefined;
    if (consent !== undefined && draft.setConsent(consent, field.value)) continue;
    draft.put(label, fieldValue(field));
  }
  draft.set('form', formName);
  return draft.build();
}

function fieldValue(field: TallyField): unknown {
  if (!CHOICE_TYPES.has(field.type) || !field.options) return field.value;
  const text = new Map(field.options.map((option) => [option.id, option.text]));
  const ids = Array.isArray(field.value) ? field.value : [field.value];
  return ids.map((id) => (typeof id === 'string' ? (text.get(id) ?? id) : id));
}
