/**
 * Webflow `form_submission` webhook, in the Data API v2 shape (`triggerType`, `payload`) and the
 * older v1 shape that dashboard-made webhooks still send (`name`, `site`, `data`, `d`, `_id`). `data` maps each field's name, as the designer
 * typed it ("First Name", "email", "Phone Number"), to its value; `schema` gives each field's type,
 * which finds the email and phone inputs whatever they are called. Hidden inputs named `utm_*`
 * carry UTM values.
 */
import * as v from 'valibot';
import type { LeadInput } from '../lead';
import { LeadDraft } from './fields';

const Data = v.record(v.string(), v.union([v.string(), v.number(), v.boolean(), v.null()]));

const SubmissionSchema = v.looseObject({
  id: v.optional(v.string()),
  name: v.optional(v.string()),
  siteId: v.optional(v.string()),
  submittedAt: v.optional(v.string()),
  formId: v.optional(v.string()),
  data: Data,
  schema: v.optional(v.array(v.looseObject({ fieldName: v.string(), fieldType: v.string() }))),
});
type Submission = v.InferOutput<typeof SubmissionSchema>;

const V2Schema = v.looseObject({ triggerType: v.literal('form_submission'), payload: SubmissionSchema });
const V1Schema = v.looseObject({
  name: v.optional(v.string()),
  site: v.optional(v.string()),
  data: Data,
  d: v.optional(v.string()),
  _id: v.optional(v.string()),
});

export const WebflowPayloadSchema = v.union([V2Schema, V1Schema]);
export type WebflowPayload = v.InferOutput<typeof WebflowPayloadSchema>;

export function toLead(payload: WebflowPayload): LeadInput {
  const submission: Submission = v.is(V2Schema, payload)
    ? payload.payload
    : { data: payload.data, ...(payload.name ? { name: payload.name } : {}) };
  const { data, schema, name } = submission;
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

function isTyped(schema: Submission['schema'], field: string): boolean {
  return (schema ?? []).some(
    (entry) => entry.fieldName === field && /email|phone|tel/i.test(entry.fieldType),
  );
}
