/**
 * Typeform `form_response` webhook. Answers are matched to lead fields by their type first (an
 * `email` or `phone_number` answer is unambiguous), then by the field's `ref`, then by the
 * question's title from `definition.fields`. Give lead questions readable refs (`first_name`,
 * `company`) in the form builder: a title can be reworded, a ref is stable. Hidden fields carry
 * UTM values.
 */
import * as v from 'valibot';
import type { LeadInput } from '../lead';
import { consentFieldFor, LeadDraft, leadFieldFor } from './fields';

const AnswerSchema = v.looseObject({
  type: v.string(),
  field: v.looseObject({ id: v.string(), type: v.string(), ref: v.optional(v.string()) }),
  text: v.optional(v.string()),
  email: v.optional(v.string()),
  phone_number: v.optional(v.string()),
  url: v.optional(v.string()),
  date: v.optional(v.string()),
  number: v.optional(v.number()),
  boolean: v.optional(v.boolean()),
  choice: v.optional(v.looseObject({ label: v.optional(v.string()), other: v.optional(v.string()) })),
  choices: v.optional(
    v.looseObject({ labels: v.optional(v.array(v.string())), other: v.optional(v.string()) }),
  ),
});
export type TypeformAnswer = v.InferOutput<typeof AnswerSchema>;

export const TypeformPayloadSchema = v.looseObject({
  event_id: v.string(),
  event_type: v.literal('form_response'),
  form_response: v.looseObject({
    form_id: v.string(),
    token: v.string(),
    submitted_at: v.string(),
    hidden: v.optional(v.record(v.string(), v.nullable(v.string()))),
    definition: v.optional(
      v.looseObject({
        id: v.string(),
        title: v.optional(v.string()),
        fields: v.optional(
          v.array(
            v.looseObject({ id: v.string(), title: v.optional(v.string()), ref: v.optional(v.string()) }),
          ),
        ),
      }),
    ),
    answers: v.array(AnswerSchema),
  }),
});
export type TypeformPayload = v.InferOutput<typeof TypeformPayloadSchema>;

export function toLead(payload: TypeformPayload): LeadInput {
  const response = payload.form_response;
  const definitions = new Map((response.definition?.fields ?? []).map((field) => [field.id, field]));
  const draft = new LeadDraft();

  for (const answer of response.answers) {
    if (answer.type === 'email') draft.set('email', answer.email);
    if (answer.type === 'phone_number') draft.set('phone', answer.phone_number);
  }
  for (const answer of response.answers) {
    if (answer.type === 'email' || answer.type === 'phone_number') continue;
    const { id } = answer.field;
    // Answers do not always carry their field's ref; the form's definition does.
    const ref = answer.field.ref ?? definitions.get(id)?.ref;
    const title = definitions.get(id)?.title;
    const value = answerValue(answer);
    const field = leadFieldFor(ref) ?? leadFieldFor(title);
    if (field !== undefined && draft.set(field, value)) continue;
    // A `legal` question is Typeform's terms acceptance, whatever its title says.
    const consent =
      typeof value === 'boolean'
        ? answer.field.type === 'legal'
          ? 'consent_terms'
          : (consentFieldFor(title) ?? consentFieldFor(ref))
        : undefined;
    if (consent !== undefined && draft.setConsent(consent, value)) continue;
    draft.custom(ref ?? id, value);
  }
  for (const [key, value] of Object.entries(response.hidden ?? {})) draft.put(key, value);
  draft.set('form', response.definition?.title ?? response.form_id);
  return draft.build();
}

function answerValue(answer: TypeformAnswer): string | number | boolean | string[] | undefined {
  switch (answer.type) {
    case 'choice':
      return answer.choice?.label ?? answer.choice?.other;
    case 'choices':
      return [...(answer.choices?.labels ?? []), ...(answer.choices?.other ? [answer.choices.other] : [])];
    case 'number':
      return answer.number;
    case 'boolean':
      return answer.boolean;
    case 'date':
      return answer.date;
    case 'url':
      return answer.url;
    default:
      return answer.text;
  }
}
