/**
 * Webflow `form_submission` webhook (Data API v2). `data` maps each field's name, as the designer
 * typed it ("First Name", "email", "Phone Number"), to its value; `schema` gives each field's type,
 * which finds the email and phone inputs whatever they are called. Hidden inputs named `utm_*`
 * carry UTM values.
 */
import * as v from 'valibot';
import type { LeadInput } from '../lead';
import { LeadDraft } from './fields';

export const WebflowPayloadSchema = v.looseObject({
  triggerType: v.literal('form_submission'),
  payload: v.looseObject({
    id: v.string(),
    name: v.string(),
    siteId: v.string(),
    submittedAt: v.string(),
    formId: v.optional(v.string()),
    data: v.record(v.string(), v.union([v.string(), v.number(), v.boolean(), v.null()])),
    schema: v.optional(v.array(v.looseObject({ fieldName: v.string(), fieldType: v.string() }))),
  }),
});
export type WebflowPayload = v.InferOutput<typeof WebflowPayloadSchema>;

export function toLead(payload: WebflowPayload): LeadInput {
  const { data, schema, name } = payload.payload;
  const draft = new LeadDraft();
  for (const { fieldName, fieldType } of schema ?? []) {
    if (/email/i.test(fieldType)) draft.set('email', data[fieldName]);
    if (/phone|tel/i.test(fieldType)) draft.set('phone', data[fieldName]);
  }
  for (const [field, value] of Object.entries(data)) {
    // Already taken by its type above; kept out of custom so it is not sent twice.
    if (isTyped(schema, field)) continue;
    draft.put(field, value);
  }
  draft.set('form', name);
  return draft.build();
}

function isTyped(schema: WebflowPayload['payload']['schema'], field: string): boolean {
  return (schema ?? []).some(
    (entry) => entry.fieldName === field && /email|phone|tel/i.test(entry.fieldType),
  );
}
