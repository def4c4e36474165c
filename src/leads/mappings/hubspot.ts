/**
 * HubSpot form submissions, in the two shapes that reach a webhook:
 * - a workflow's "Send a webhook" action enrolled on a form submission: the contact record, its
 *   `properties` as `{ value }` objects (contact-based workflows) or plain strings (CRM v3 shape),
 *   with `form-submissions` naming the form;
 * - a submission in the Forms API shape, `fields: [{ name, value }]` (or `values`, as the
 *   form-integrations submissions endpoint returns it), with `context` and `legalConsentOptions`.
 * Property names are HubSpot's internal names (`firstname`, `jobtitle`, `mobilephone`).
 */
import * as v from 'valibot';
import type { LeadInput } from '../lead';
import { LeadDraft } from './fields';

const PropertyValueSchema = v.union([
  v.nullable(v.string()),
  v.looseObject({ value: v.nullable(v.string()) }),
]);

const ContactRecordSchema = v.looseObject({
  vid: v.optional(v.union([v.string(), v.number()])),
  id: v.optional(v.union([v.string(), v.number()])),
  properties: v.record(v.string(), PropertyValueSchema),
  // The legacy contacts API (v1) keeps a contact's emails here, not always in `properties.email`.
  'identity-profiles': v.optional(
    v.array(
      v.looseObject({
        identities: v.optional(
          v.array(
            v.looseObject({ type: v.string(), value: v.string(), 'is-primary': v.optional(v.boolean()) }),
          ),
        ),
      }),
    ),
  ),
  'form-submissions': v.optional(
    v.array(
      v.looseObject({
        'form-id': v.string(),
        title: v.optional(v.string()),
        'page-url': v.optional(v.string()),
        timestamp: v.optional(v.number()),
      }),
    ),
  ),
});

const FieldListSchema = v.array(v.looseObject({ name: v.string(), value: v.string() }));

const FormSubmissionSchema = v.looseObject({
  fields: v.optional(FieldListSchema),
  values: v.optional(FieldListSchema),
  submittedAt: v.optional(v.union([v.string(), v.number()])),
  pageUrl: v.optional(v.string()),
  context: v.optional(v.looseObject({ pageUri: v.optional(v.string()), pageName: v.optional(v.string()) })),
  legalConsentOptions: v.optional(
    v.looseObject({
      consent: v.optional(
        v.looseObject({
          consentToProcess: v.optional(v.boolean()),
          communications: v.optional(v.array(v.looseObject({ value: v.boolean() }))),
        }),
      ),
    }),
  ),
});

/**
 * One event of an app webhook (the Webhooks API: always a JSON array of these). It names the
 * contact by id; the contact is read from the CRM API before mapping (src/enrich/hubspot-crm.ts).
 */
export const HubspotAppEventSchema = v.looseObject({
  eventId: v.union([v.string(), v.number()]),
  // `subscriptionType` in HubSpot's docs, `eventType` in their older samples.
  subscriptionType: v.optional(v.string()),
  eventType: v.optional(v.string()),
  objectId: v.union([v.string(), v.number()]),
  portalId: v.optional(v.union([v.string(), v.number()])),
  occurredAt: v.optional(v.number()),
  propertyName: v.optional(v.string()),
  propertyValue: v.optional(v.unknown()),
  attemptNumber: v.optional(v.number()),
});
export type HubspotAppEvent = v.InferOutput<typeof HubspotAppEventSchema>;

export const HubspotPayloadSchema = v.union([
  HubspotAppEventSchema,
  ContactRecordSchema,
  v.pipe(
    FormSubmissionSchema,
    v.check((submission) => submission.fields !== undefined || submission.values !== undefined),
  ),
]);
export type HubspotPayload = v.InferOutput<typeof HubspotPayloadSchema>;

// HubSpot's own bookkeeping, not something the person told us.
const INTERNAL_PROPERTY =
  /^(?:hs_|hubspot_|createdate$|lastmodifieddate$|lifecyclestage$|associatedcompanyid$)/;

/** A contact record (a workflow's payload, or the CRM API's answer for an app event) as a lead. */
export function toLead(payload: Exclude<HubspotPayload, HubspotAppEvent>): LeadInput {
  const draft = new LeadDraft();
  if (v.is(ContactRecordSchema, payload)) {
    for (const [name, property] of Object.entries(payload.properties)) {
      if (INTERNAL_PROPERTY.test(name)) continue;
      draft.put(name, typeof property === 'object' && property !== null ? property.value : property);
    }
    const identities = (payload['identity-profiles'] ?? []).flatMap((profile) => profile.identities ?? []);
    const emails = identities.filter((identity) => identity.type === 'EMAIL');
    draft.set('email', (emails.find((identity) => identity['is-primary']) ?? emails[0])?.value);
    // HubSpot lists submissions newest first.
    draft.set('form', payload['form-submissions']?.[0]?.title);
    return draft.build();
  }
  for (const { name, value } of payload.fields ?? payload.values ?? []) draft.put(name, value);
  const consent = payload.legalConsentOptions?.consent;
  draft.setConsent('consent_terms', consent?.consentToProcess);
  const communications = consent?.communications;
  if (communications?.length) {
    draft.setConsent(
      'consent_marketing',
      communications.some((subscription) => subscription.value),
    );
  }
  draft.set('form', payload.context?.pageName);
  return draft.build();
}
