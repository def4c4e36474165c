import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { type Lead, type LeadFlag, type LeadInput, LeadSchema } from '../../../src/leads/lead';
import {
  calcom,
  calendly,
  flatLead,
  hubspot,
  jotform,
  meta,
  tally,
  typeform,
  webflow,
  zoom,
} from '../../../src/leads/mappings';
import { normalizeLead } from '../../../src/leads/normalize';
import type { SourceFactory } from '../../../src/sources/types';
import { contactSources } from '../../../src/sources/webhooks';
import { fixture, fixturePaths } from './fixtures';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

interface MappingCase {
  fixture: string;
  source: string;
  defaultRegion?: string;
  map(payload: unknown): LeadInput;
  expected: DeepPartial<Lead>;
  /** Flags normalisation must raise; none when absent. Each case that sets it says why. */
  expectedFlags?: LeadFlag[];
}

// n8n and Make post whatever a scenario builds; Make's here nests the contact.
const makeMapping = flatLead({
  email: 'contact.email',
  phone: 'contact.mobile',
  full_name: 'contact.name',
  company: 'Company Name',
  consent_marketing: 'consent',
});

/** The mapping of a provider read by contact paths (src/sources/webhooks.ts): Pipedrive, Mailchimp. */
function contactMapping(factory: SourceFactory, name: string): (payload: unknown) => LeadInput {
  const source = factory(name, { secretVar: 'UNUSED' });
  return (body) => {
    const lead = source.toLead(v.parse(source.schema, body), {});
    if (lead instanceof Promise) throw new Error(`${name} maps asynchronously`);
    return lead;
  };
}
const pipedriveMapping = contactMapping(contactSources.pipedrive, 'pipedrive');
const mailchimpMapping = contactMapping(contactSources.mailchimp, 'mailchimp');

const calendlyLead = (body: unknown) => calendly.toLead(v.parse(calendly.CalendlyPayloadSchema, body));
const calcomLead = (body: unknown) => calcom.toLead(v.parse(calcom.CalcomPayloadSchema, body));
const zoomLead = (body: unknown) => zoom.toLead(v.parse(zoom.ZoomPayloadSchema, body));
const metaLead = (body: unknown) => meta.metaFieldDataToLead(v.parse(meta.MetaLeadSchema, body));

const CASES: MappingCase[] = [
  {
    fixture: 'typeform/contact-form.json',
    source: 'typeform',
    map: (body) => typeform.toLead(v.parse(typeform.TypeformPayloadSchema, body)),
    expected: {
      email: 'priya.raman@northwind.example',
      phone: '+14155550132',
      first_name: 'Priya',
      last_name: 'Raman',
      full_name: 'Priya Raman',
      company: 'Northwind Traders',
      form: 'Book a demo',
      utm: { source: 'google', medium: 'cpc', campaign: 'Q4 Demo Push' },
      consent: { marketing: true },
      custom: { team_size: '11-50' },
      tags: [
        'form:book-a-demo',
        'source:typeform',
        'utm_campaign:q4-demo-push',
        'utm_medium:cpc',
        'utm_source:google',
      ],
    },
  },
  {
    fixture: 'typeform/contact-info-messy.json',
    source: 'typeform',
    map: (body) => typeform.toLead(v.parse(typeform.TypeformPayloadSchema, body)),
    expected: {
      email: 'john.oneil@example.com',
      phone: '+447400123456',
      first_name: 'John',
      last_name: "O'Neil",
      full_name: "John O'Neil",
      company: 'Acme Rockets',
      job_title: 'CEO',
      original: {
        email: ' John.ONeil@Example.COM ',
        full_name: '  JOHN   O’NEIL ',
        company: '🚀 Acme Rockets | CEO',
      },
    },
  },
  {
    fixture: 'calendly/invitee-created.json',
    source: 'calendly',
    defaultRegion: 'FR',
    map: (body) => calendly.toLead(v.parse(calendly.CalendlyPayloadSchema, body)),
    expected: {
      email: 'marie.dubois@exemple.fr',
      phone: '+33612345678',
      first_name: 'Marie',
      last_name: 'Dubois',
      full_name: 'Marie Dubois',
      company: 'Lumière Studio',
      job_title: 'Head of Marketing',
      form: '30 Minute Discovery Call',
      utm: { source: 'newsletter', medium: 'email', campaign: 'spring-launch' },
      custom: { 'Anything we should know before the call?': 'We are evaluating three vendors.' },
    },
  },
  {
    fixture: 'hubspot/workflow-contact.json',
    source: 'hubspot',
    map: (body) => hubspot.toLead(v.parse(hubspot.HubspotPayloadSchema, body)),
    expected: {
      email: 'dkim@contoso.example',
      phone: '+12015550123',
      first_name: 'Dong-Hyun',
      last_name: 'Kim',
      full_name: 'Dong-Hyun Kim',
      company: 'Contoso Ltd.',
      job_title: 'VP Engineering',
      country: 'US',
      city: 'Hoboken',
      form: 'Pricing page - request a quote',
      utm: { source: 'bing', campaign: 'brand-2026' },
    },
  },
  {
    fixture: 'hubspot/forms-submission.json',
    source: 'hubspot',
    map: (body) => hubspot.toLead(v.parse(hubspot.HubspotPayloadSchema, body)),
    expected: {
      email: 'lena.schmidt@beispiel.de',
      phone: '+4915123456789',
      first_name: 'Lena',
      last_name: 'Schmidt',
      company: 'Beispiel GmbH',
      country: 'DE',
      form: 'Kontakt',
      consent: { terms: true, marketing: false },
      custom: { message: 'Bitte um Rückruf.' },
    },
  },
  {
    fixture: 'meta/lead.json',
    source: 'meta',
    map: (body) => meta.metaFieldDataToLead(v.parse(meta.MetaLeadSchema, body)),
    expected: {
      email: 'juan.delacruz@correo.example',
      phone: '+34612345678',
      first_name: 'Juan',
      last_name: 'de la Cruz',
      full_name: 'Juan de la Cruz',
      company: 'Soluciones Cruz S.L.',
      job_title: 'Director comercial',
      campaign: 'Q4 Lead Gen - EU',
      form: '1234567890123456',
      consent: { marketing: true },
      custom: { 'what_is_your_budget?': '10k_-_50k' },
    },
  },
  {
    fixture: 'zoom/registration-created.json',
    source: 'zoom',
    map: (body) => zoom.toLead(v.parse(zoom.ZoomPayloadSchema, body)),
    expected: {
      email: 'kwame.mensah@orbit.example',
      phone: '+14165550142',
      first_name: 'Kwame',
      last_name: 'Mensah',
      company: 'Orbit Analytics',
      job_title: 'Revenue Operations Lead',
      country: 'CA',
      city: 'Toronto',
      form: 'Lead routing at scale: live demo',
      utm: { source: 'LinkedIn' },
      consent: { marketing: true },
      custom: { industry: 'Software', 'Which CRM do you use?': 'Salesforce' },
    },
  },
  {
    fixture: 'tally/form-response.json',
    source: 'tally',
    map: (body) => tally.toLead(v.parse(tally.TallyPayloadSchema, body)),
    expected: {
      email: 'jose@garcia-lopez.example',
      phone: '+34612345678',
      first_name: 'José',
      last_name: 'García-López',
      company: 'Tapas Labs',
      job_title: 'Founder',
      form: 'Partner programme application',
      utm: { source: 'partner-portal' },
      consent: { terms: true },
      custom: { 'Which products do you resell?': 'Inlet Cloud, Inlet Edge', ref: 'acme-affiliate' },
    },
  },
  {
    fixture: 'jotform/submission.json',
    source: 'jotform',
    defaultRegion: 'GB',
    map: (body) => jotform.toLead(v.parse(jotform.JotformPayloadSchema, body)),
    expected: {
      email: 'olivia.mcdonald@highland.example',
      phone: '+447400123456',
      first_name: 'Olivia',
      last_name: 'McDonald',
      company: 'Highland Outdoor Co.',
      city: 'Edinburgh',
      country: 'GB',
      form: 'Reseller enquiry',
      utm: { source: 'facebook', medium: 'paid_social' },
      consent: { marketing: true },
    },
  },
  {
    fixture: 'webflow/form-submission.json',
    source: 'webflow',
    map: (body) => webflow.toLead(v.parse(webflow.WebflowPayloadSchema, body)),
    expected: {
      email: 'zaphod@heartofgold.example',
      phone: '+16465550142',
      first_name: 'Zaphod',
      last_name: 'Beeblebrox',
      company: 'Heart of Gold Ltd',
      job_title: 'Chief Improbability Officer',
      form: 'Contact Us',
      utm: { source: 'producthunt', campaign: 'launch day' },
      consent: { marketing: true },
      custom: { Message: 'Need routing for 3 regions' },
    },
  },
  {
    fixture: 'calcom/booking-created.json',
    source: 'calcom',
    map: (body) => calcom.toLead(v.parse(calcom.CalcomPayloadSchema, body)),
    expected: {
      email: 'ada@okafor-consulting.example',
      phone: '+447400123456',
      first_name: 'Ada',
      last_name: 'Okafor',
      company: 'Okafor Consulting',
      form: 'Intro call',
      utm: { source: 'twitter', medium: 'social', campaign: 'black-friday' },
      custom: { 'team-size': '12', notes: 'Interested in the EU region.' },
    },
  },
  {
    fixture: 'calcom/booking-created-split-name.json',
    source: 'calcom',
    defaultRegion: 'NL',
    map: (body) => calcom.toLead(v.parse(calcom.CalcomPayloadSchema, body)),
    expected: {
      email: 'lars@vdberg.example',
      phone: '+31612345678',
      first_name: 'Lars',
      last_name: 'van der Berg',
      full_name: 'Lars van der Berg',
      job_title: 'Head of Growth',
      form: 'Product demo',
    },
  },
  {
    fixture: 'flat/n8n.json',
    source: 'n8n',
    map: (body) => {
      const mapping = flatLead();
      return mapping.toLead(v.parse(mapping.schema, body));
    },
    expected: {
      email: 'tom.baker@gallifrey.example',
      phone: '+13125550187',
      first_name: 'Tom',
      last_name: 'Baker',
      company: 'Gallifrey Timeworks',
      job_title: 'CTO',
      form: 'Webinar sign-up',
      consent: { marketing: true },
      custom: { lead_score: 42, submittedAt: '2026-11-25T09:10:11.000Z' },
    },
  },
  {
    fixture: 'flat/make.json',
    source: 'make',
    map: (body) => makeMapping.toLead(v.parse(makeMapping.schema, body)),
    expected: {
      email: 'ines@costa.example',
      phone: '+351912345678',
      first_name: 'Inês',
      last_name: 'Costa',
      company: 'Costa & Filhos, Lda.',
      country: 'PT',
      consent: { marketing: true },
      custom: { 'Lead Source': 'Make scenario 41' },
    },
  },
  // The providers' own published examples (test/fixtures/ORIGINS.md): leads and updates, each with a person.
  {
    fixture: 'typeform/form-response-docs.json',
    source: 'typeform',
    map: (body) => typeform.toLead(v.parse(typeform.TypeformPayloadSchema, body)),
    // Answers carry no ref: the first name is found by its question, "What is your first name?".
    expected: {
      email: 'laura@example.com',
      first_name: 'Laura',
      full_name: 'Laura',
      form: 'Webhooks example',
      custom: {
        readable_ref_date: '2005-10-15',
        readable_ref_picture_choice: 'London, Sydney',
        readable_ref_multiple_choice: 'London',
        readable_ref_number1: 5,
        readable_ref_calendly: 'https://calendly.com/scheduled_events/EVENT_TYPE/invitees/INVITEE',
        user_id: 'abc123456',
      },
    },
  },
  {
    fixture: 'tally/form-response-docs.json',
    source: 'tally',
    map: (body) => tally.toLead(v.parse(tally.TallyPayloadSchema, body)),
    expected: {
      email: 'alice@example.com',
      phone: '+32491223344',
      form: 'Webhook payload',
      utm: { campaign: 'newsletter' },
      custom: {
        Score: 20,
        Text: 'Hello',
        'Multiple choice': 'In progress',
        Checkboxes: 'Swimming, Skiing',
        Dropdown: 'Hard',
        'Multi-select': 'Surf, Golf',
        Ranking: 'Pear, Apple, Banana',
        'Payment (name)': 'Alice Smith',
        'Payment (email)': 'alice@example.com',
      },
    },
  },
  {
    fixture: 'webflow/form-submission-v2-docs.json',
    source: 'webflow',
    map: (body) => webflow.toLead(v.parse(webflow.WebflowPayloadSchema, body)),
    expected: {
      email: 'zaphod@heartofgold.ai',
      first_name: 'Zaphod',
      last_name: 'Beeblebrox',
      form: 'Contact Us',
      original: { phone: '15550000000' },
    },
    // Webflow's example sends "Phone Number" as the JSON number 15550000000: no "+", and read as
    // +1 555 000 0000 it is still no phone, 555 being no North American area code and 000 no exchange.
    expectedFlags: ['invalid_phone'],
  },
  {
    fixture: 'webflow/form-submission-v1-docs.json',
    source: 'webflow',
    map: (body) => webflow.toLead(v.parse(webflow.WebflowPayloadSchema, body)),
    expected: {
      email: 'some.one@example.com',
      first_name: 'Some',
      last_name: 'One',
      full_name: 'Some One',
      form: 'Sample Form',
    },
  },
  {
    fixture: 'calendly/invitee-created-docs.json',
    source: 'calendly',
    map: calendlyLead,
    expected: {
      email: 'test@example.com',
      first_name: 'John',
      last_name: 'Doe',
      full_name: 'John Doe',
      form: '15 Minute Meeting',
    },
  },
  {
    fixture: 'calendly/invitee-canceled.json',
    source: 'calendly',
    map: calendlyLead,
    expected: {
      email: 'test@example.com',
      first_name: 'John',
      last_name: 'Doe',
      full_name: 'John Doe',
      form: '15 Minute Meeting',
    },
  },
  {
    fixture: 'calendly/invitee-no-show-created.json',
    source: 'calendly',
    map: calendlyLead,
    expected: {
      email: 'test@example.com',
      first_name: 'John',
      last_name: 'Doe',
      full_name: 'John Doe',
      form: '15 Minute Meeting',
    },
  },
  {
    fixture: 'calcom/booking-created-docs.json',
    source: 'calcom',
    map: calcomLead,
    // The booker is the first attendee; the second, a guest, is not the lead.
    expected: {
      email: 'guest@example.com',
      first_name: 'Guest',
      last_name: 'User',
      full_name: 'Guest User',
      form: 'Strategy Session',
    },
  },
  {
    fixture: 'calcom/booking-requested.json',
    source: 'calcom',
    map: calcomLead,
    expected: {
      email: 'guest@example.com',
      first_name: 'Guest',
      last_name: 'User',
      full_name: 'Guest User',
      form: 'Strategy Session',
      custom: { notes: 'Standard meeting notes placeholder' },
    },
  },
  {
    fixture: 'calcom/booking-rescheduled.json',
    source: 'calcom',
    map: calcomLead,
    expected: {
      email: 'guest@example.com',
      first_name: 'Guest',
      last_name: 'User',
      full_name: 'Guest User',
      form: 'Strategy Session',
      custom: { notes: 'Standard meeting notes placeholder' },
    },
  },
  {
    fixture: 'calcom/booking-cancelled.json',
    source: 'calcom',
    map: calcomLead,
    // Labelled `name` and `email` here, not `your_name` and `email_address`; no attendee splits the name.
    expected: {
      email: 'guest@example.com',
      first_name: 'Guest',
      last_name: 'User',
      full_name: 'Guest User',
      form: 'Strategy Session',
      custom: { notes: 'Standard meeting notes placeholder' },
    },
  },
  {
    fixture: 'hubspot/contact-v1-identity-profiles.json',
    source: 'hubspot',
    map: (body) => hubspot.toLead(v.parse(hubspot.HubspotPayloadSchema, body)),
    // The email is only in identity-profiles, not in properties.
    expected: {
      email: 'testingapis@hubspot.com',
      first_name: 'Jeff',
      last_name: 'Testing',
      full_name: 'Jeff Testing',
      company: 'HubSpot',
    },
  },
  {
    fixture: 'meta/lead-graph-api-docs-sample.json',
    source: 'meta',
    map: metaLead,
    expected: {
      email: 'joe@example.com',
      first_name: 'Joe',
      last_name: 'Example',
      full_name: 'Joe Example',
      form: '<FORM_ID>',
      custom: { car_make: 'Honda', selected_dealer: '99213450' },
    },
  },
  {
    fixture: 'meta/lead-custom-disclaimer-responses-docs-sample.json',
    source: 'meta',
    // Meta's answer to `?fields=custom_disclaimer_responses` alone is no lead object (no field_data);
    // here it is read as part of the docs' lead object, as a request for both fields returns it.
    map: (body) =>
      metaLead({ ...(fixture('meta/lead-graph-api-docs-sample.json') as object), ...(body as object) }),
    // `is_checked` is "1" or "": optional_2 was left unticked, which is a "no", not a missing answer.
    expected: {
      email: 'joe@example.com',
      full_name: 'Joe Example',
      custom: { car_make: 'Honda', selected_dealer: '99213450', optional_1: true, optional_2: false },
    },
  },
  {
    fixture: 'zoom/webinar-registration-created-docs.json',
    source: 'zoom',
    map: zoomLead,
    expected: {
      email: 'jchill@example.com',
      first_name: 'Jill',
      last_name: 'Chill',
      company: 'Cooking Org',
      job_title: 'Chef',
      country: 'US',
      city: 'Mountain View',
      form: 'My Webinar',
      utm: { source: 'general' },
      custom: {
        industry: 'Food',
        comments: 'Looking forward to the Webinar',
        'What do you hope to learn from this Webinar?':
          'Look forward to learning how you come up with new recipes and what other services you offer.',
      },
      original: { phone: '5550100' },
    },
    // Zoom's example phone "5550100" has seven digits and no area code: even read in the registrant's
    // country (US), a North American number needs ten, so there is no number to call.
    expectedFlags: ['invalid_phone'],
  },
  {
    fixture: 'zoom/webinar-registration-created-no-event-ts.json',
    source: 'zoom',
    map: zoomLead,
    // Every optional registration field arrives as "", none as a value.
    expected: {
      email: 'coolemail@email.com',
      first_name: 'Cool',
      last_name: 'Person',
      form: 'A test meeting',
    },
  },
  {
    fixture: 'zoom/meeting-registration-created-no-event-ts.json',
    source: 'zoom',
    map: zoomLead,
    expected: {
      email: 'coolemail@email.com',
      first_name: 'Cool',
      last_name: 'Person',
      form: 'A test meeting',
    },
  },
  {
    fixture: 'zoom/webinar-registration-cancelled-no-event-ts.json',
    source: 'zoom',
    map: zoomLead,
    expected: {
      email: 'coolemail@email.com',
      first_name: 'Cool',
      last_name: 'Person',
      form: 'A test meeting',
    },
  },
  {
    fixture: 'zoom/meeting-registration-cancelled-no-event-ts.json',
    source: 'zoom',
    map: zoomLead,
    expected: {
      email: 'coolemail@email.com',
      first_name: 'Cool',
      last_name: 'Person',
      form: 'A test meeting',
    },
  },
  {
    fixture: 'mailchimp/subscribe.json',
    source: 'mailchimp',
    map: mailchimpMapping,
    // An all-capitals name is cased like a name; the value as sent stays in `original`.
    expected: {
      email: 'api@mailchimp.com',
      first_name: 'Mailchimp',
      last_name: 'Api',
      original: { last_name: 'API' },
    },
  },
  {
    fixture: 'mailchimp/unsubscribe.json',
    source: 'mailchimp',
    map: mailchimpMapping,
    expected: {
      email: 'api+unsub@mailchimp.com',
      first_name: 'Mailchimp',
      last_name: 'Api',
      original: { last_name: 'API' },
    },
  },
];

/**
 * Published deliveries that carry no contact at all: mapped, they give a lead with no email and no
 * phone, which the pipeline stores as `invalid` (test/workerd/real-payloads.test.ts).
 */
const NO_CONTACT_CASES: MappingCase[] = [
  {
    fixture: 'calendly/routing-form-submission-created.json',
    source: 'calendly',
    map: calendlyLead,
    // Answers only; the submitter is a URI.
    expected: { custom: { 'What is your industry?': 'IT & Software' } },
  },
  {
    fixture: 'calcom/form-submitted.json',
    source: 'calcom',
    map: calcomLead,
    expected: {
      form: 'Customer Intake Form',
      custom: {
        'What Language do you prefer': 'Placeholder Language',
        'Where are you from': 'Placeholder Location',
      },
    },
  },
  {
    fixture: 'pipedrive/person-create-v2.json',
    source: 'pipedrive',
    map: pipedriveMapping,
    // Pipedrive's examples have `emails: []` and `phones: []`.
    expected: { first_name: 'Sample', full_name: 'Sample' },
  },
  {
    fixture: 'pipedrive/person-change-v2.json',
    source: 'pipedrive',
    map: pipedriveMapping,
    expected: { first_name: 'Sample Person', full_name: 'Sample Person' },
  },
];

/**
 * Fixtures no case maps to a lead, each with why: none is ever validated against the lead schema.
 * test/workerd/real-payloads.test.ts posts each through the edge (2xx, then `ignored` or answered).
 */
const NOT_LEADS: Record<string, string> = {
  'meta/leadgen-webhook.json': 'ids only, no person: read by leadgenRefs (the meta tests below)',
  'meta/leadgen-webhook-docs-sample.json':
    "Meta's docs sample of the same, ids as JSON numbers: the meta tests below",
  'meta/verification-request.query.json':
    'the GET query of a subscription check, answered with hub.challenge (test/node/presets/meta.test.ts)',
  'calcom/ping.json': "the settings page's test delivery: its attendee is a placeholder, not a person",
  'calcom/meeting-ended.json': 'a meeting event, no payload wrapper: the booking before it was the lead',
  'hubspot/contact-deletion.json': 'a deletion, naming the contact by id only',
  'hubspot/webhooks-v3-batch-docs.json':
    'app-webhook events name contacts by id; each contact is read from the CRM API before mapping',
  'pipedrive/person-delete-v2.json': 'a deletion: data is null, the record is only in previous',
  'zoom/endpoint-url-validation.json': 'a URL check, answered with a signed token',
};

function mapCase(testCase: MappingCase): Lead {
  const input = testCase.map(fixture(testCase.fixture));
  const options = testCase.defaultRegion
    ? { source: testCase.source, defaultRegion: testCase.defaultRegion }
    : { source: testCase.source };
  const lead = normalizeLead(input, options);
  const result = v.safeParse(LeadSchema, lead);
  expect(result.issues?.map((issue) => v.getDotPath(issue))).toBeUndefined();
  expect(lead).toMatchObject(testCase.expected);
  expect(lead.flags).toEqual(testCase.expectedFlags ?? []);
  return lead;
}

describe('platform mappings', () => {
  it.each(CASES)('$fixture maps to a valid lead', (testCase) => {
    mapCase(testCase);
  });

  it.each(NO_CONTACT_CASES)('$fixture maps to a lead with no email and no phone', (testCase) => {
    const lead = mapCase(testCase);
    expect(lead.email).toBeUndefined();
    expect(lead.phone).toBeUndefined();
    expect(lead.original).toEqual({});
  });

  it('covers every fixture: a case maps it, or NOT_LEADS says why it carries no lead', () => {
    const covered = [...CASES, ...NO_CONTACT_CASES]
      .map((testCase) => testCase.fixture)
      .concat(Object.keys(NOT_LEADS));
    const platforms = [...new Set(covered.map((path) => path.split('/')[0] ?? ''))];
    expect(fixturePaths(platforms)).toEqual([...covered].sort());
  });
});

describe('typeform', () => {
  it('refuses events other than form_response', () => {
    const body = {
      ...(fixture('typeform/contact-form.json') as object),
      event_type: 'form_partial_response',
    };
    expect(v.is(typeform.TypeformPayloadSchema, body)).toBe(false);
  });

  it('prefers a typed email answer over a text answer whose ref says email', () => {
    const body = v.parse(typeform.TypeformPayloadSchema, fixture('typeform/contact-form.json'));
    const decoy = {
      type: 'text',
      text: 'old@northwind.example',
      field: { id: 'x1', type: 'short_text', ref: 'email' },
    };
    const lead = typeform.toLead({
      ...body,
      form_response: { ...body.form_response, answers: [decoy, ...body.form_response.answers] },
    });
    expect(lead.email).toBe('priya.raman@northwind.example');
    expect(lead.custom?.email).toBe('old@northwind.example');
  });
});

describe('hubspot', () => {
  it("keeps HubSpot's own bookkeeping properties out of custom", () => {
    const lead = hubspot.toLead(
      v.parse(hubspot.HubspotPayloadSchema, fixture('hubspot/workflow-contact.json')),
    );
    expect(Object.keys(lead.custom ?? {})).toEqual(['how_did_you_hear_about_us']);
  });

  it('refuses a body that is neither a contact record nor a submission', () => {
    expect(v.is(hubspot.HubspotPayloadSchema, { submittedAt: '1764000456789' })).toBe(false);
  });
});

describe('meta', () => {
  it('extracts every leadgen id of a batched webhook', () => {
    const refs = meta.leadgenRefs(v.parse(meta.MetaPayloadSchema, fixture('meta/leadgen-webhook.json')));
    expect(refs.map((ref) => ref.leadgen_id)).toEqual(['987654321098765', '987654321098766']);
    expect(refs[0]).toMatchObject({
      page_id: '104857600012345',
      form_id: '1234567890123456',
      ad_id: '120210000000000001',
    });
  });

  it("reads Meta's docs sample, whose ids are JSON numbers, as string ids", () => {
    const body = fixture('meta/leadgen-webhook-docs-sample.json');
    const refs = meta.leadgenRefs(v.parse(meta.MetaPayloadSchema, body));
    expect(refs).toEqual([
      {
        leadgen_id: '123123123123',
        page_id: '123123123',
        form_id: '12312312312',
        adgroup_id: '12312312312',
        ad_id: '12312312312',
        created_time: 1440120384,
      },
      {
        leadgen_id: '123123123124',
        page_id: '123123123',
        form_id: '12312312312',
        adgroup_id: '12312312312',
        ad_id: '12312312312',
        created_time: 1440120384,
      },
    ]);
    expect(v.parse(meta.MetaPayloadSchema, body).entry[0]?.id).toBe('153125381133');
  });

  it('takes an unticked disclaimer checkbox ("") as a refusal', () => {
    const lead = meta.metaFieldDataToLead(
      v.parse(meta.MetaLeadSchema, {
        ...(fixture('meta/lead.json') as object),
        custom_disclaimer_responses: [{ checkbox_key: 'marketing_optin', is_checked: '' }],
      }),
    );
    expect(lead.consent_marketing).toBe(false);
  });

  it("does not take Meta's consent-only answer for a lead object", () => {
    const body = fixture('meta/lead-custom-disclaimer-responses-docs-sample.json');
    expect(v.is(meta.MetaLeadSchema, body)).toBe(false);
  });

  it('refuses a change that is not a leadgen notification', () => {
    const body = {
      object: 'page',
      entry: [{ id: '1', time: 1, changes: [{ field: 'feed', value: { item: 'post' } }] }],
    };
    expect(v.is(meta.MetaPayloadSchema, body)).toBe(false);
  });

  it('refuses a leadgen notification without a leadgen id', () => {
    const body = {
      object: 'page',
      entry: [
        {
          id: '1',
          time: 1,
          changes: [{ field: 'leadgen', value: { page_id: '1', form_id: '2', created_time: 3 } }],
        },
      ],
    };
    expect(v.is(meta.MetaPayloadSchema, body)).toBe(false);
  });
});

describe('jotform', () => {
  it('reads the same lead from the form-urlencoded body Jotform actually posts', () => {
    const fields = fixture('jotform/submission.json') as Record<string, string>;
    const posted = new URLSearchParams(fields).toString();
    const parsed = Object.fromEntries(new URLSearchParams(posted));
    const fromForm = jotform.toLead(v.parse(jotform.JotformPayloadSchema, parsed));
    expect(fromForm).toEqual(jotform.toLead(v.parse(jotform.JotformPayloadSchema, fields)));
    expect(fromForm.email).toBe('OLIVIA.MCDONALD@HIGHLAND.EXAMPLE');
  });

  it('refuses a rawRequest that is not JSON', () => {
    const fields = { ...(fixture('jotform/submission.json') as object), rawRequest: '{"q3_name":' };
    expect(v.is(jotform.JotformPayloadSchema, fields)).toBe(false);
  });

  it('reads an older phone widget that splits area code and number', () => {
    const lead = jotform.toLead({
      formID: '1',
      submissionID: '2',
      rawRequest: { q5_phone: { area: '201', phone: '5550123' } },
    });
    expect(lead.phone).toBe('2015550123');
  });
});

describe('tally', () => {
  it('takes ticked options from the group, not from its per-option booleans', () => {
    const lead = tally.toLead(v.parse(tally.TallyPayloadSchema, fixture('tally/form-response.json')));
    expect(Object.keys(lead.custom ?? {})).toEqual(['Which products do you resell?', 'ref']);
    expect(lead.consent_marketing).toBeUndefined();
  });
});

describe('webflow', () => {
  it('finds the email input by its type, whatever its name, and does not repeat it in custom', () => {
    const lead = webflow.toLead(
      v.parse(webflow.WebflowPayloadSchema, fixture('webflow/form-submission.json')),
    );
    expect(lead.email).toBe('zaphod@heartofgold.example');
    expect(lead.custom).not.toHaveProperty('Email Address');
  });
});

describe('flat leads', () => {
  it('accepts the common spellings of each key', () => {
    const mapping = flatLead();
    const lead = mapping.toLead({ 'First Name': 'Ana', last_name: 'Silva', EMAIL: 'ana@silva.example' });
    expect(lead).toEqual({ first_name: 'Ana', last_name: 'Silva', email: 'ana@silva.example' });
  });

  it('replaces the default keys only for the fields a custom map names', () => {
    const mapping = flatLead({ email: 'contact_email' });
    const lead = mapping.toLead({
      email: 'ignored@example.com',
      contact_email: 'used@example.com',
      phone: '+12015550123',
    });
    expect(lead.email).toBe('used@example.com');
    expect(lead.phone).toBe('+12015550123');
    expect(lead.custom).toEqual({ email: 'ignored@example.com' });
  });

  it('refuses a mapped field that holds an object, and a list instead of a lead', () => {
    const mapping = flatLead();
    expect(v.is(mapping.schema, { email: { address: 'ana@silva.example' } })).toBe(false);
    expect(v.is(mapping.schema, [{ email: 'ana@silva.example' }])).toBe(false);
    expect(v.is(mapping.schema, { email: 'ana@silva.example', meta: { any: 'thing' } })).toBe(true);
  });
});
