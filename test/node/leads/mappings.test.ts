import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { type Lead, type LeadInput, LeadSchema } from '../../../src/leads/lead';
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
import { fixture, fixturePaths } from './fixtures';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

interface MappingCase {
  fixture: string;
  source: string;
  defaultRegion?: string;
  map(payload: unknown): LeadInput;
  expected: DeepPartial<Lead>;
}

// n8n and Make post whatever a scenario builds; Make's here nests the contact.
const makeMapping = flatLead({
  email: 'contact.email',
  phone: 'contact.mobile',
  full_name: 'contact.name',
  company: 'Company Name',
  consent_marketing: 'consent',
});

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
      country: 'United Kingdom',
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
];

describe('platform mappings', () => {
  it.each(CASES)('$fixture maps to a valid lead', (testCase) => {
    const input = testCase.map(fixture(testCase.fixture));
    const options = testCase.defaultRegion
      ? { source: testCase.source, defaultRegion: testCase.defaultRegion }
      : { source: testCase.source };
    const lead = normalizeLead(input, options);
    const result = v.safeParse(LeadSchema, lead);
    expect(result.issues?.map((issue) => v.getDotPath(issue))).toBeUndefined();
    expect(lead).toMatchObject(testCase.expected);
    expect(lead.flags).toEqual([]);
  });

  it('covers every fixture except the Meta webhook, which carries no lead', () => {
    const covered = CASES.map((testCase) => testCase.fixture).concat('meta/leadgen-webhook.json');
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
