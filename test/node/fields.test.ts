import { describe, expect, it } from 'vitest';
import { isLeadPath, LEAD_PATHS, type LeadPath, leadValue, mapFields } from '../../src/destinations/fields';
import { NORMALIZER_VERSION, normalizeLead } from '../../src/leads/normalize';

const full = normalizeLead(
  {
    email: 'Ana@Example.com',
    phone: '+33 6 12 34 56 78',
    first_name: 'ana',
    last_name: 'SILVA',
    company: 'Silva Labs',
    job_title: 'CTO',
    country: 'fr',
    city: 'Lyon',
    form: 'Contact us',
    campaign: 'Webinar 2026',
    utm_source: 'google',
    utm_medium: 'cpc',
    utm_campaign: 'spring',
    utm_term: 'crm',
    utm_content: 'ad-1',
    consent_marketing: true,
    consent_terms: false,
    custom: { plan: 'pro', seats: 12, vip: true, trial: false, zero: 0, none: null, empty: '' },
    tags: ['vip'],
  },
  { source: 'typeform' },
);
const bare = normalizeLead({ email: 'ana@example.com' }, { source: 'n8n' });

describe('leadValue', () => {
  it('resolves every LEAD_PATHS entry on a full lead', () => {
    // The event and the status are set by routing, for an update such as a cancellation.
    const routed = { ...full, event: 'invitee.canceled', status: 'canceled' };
    expect(Object.fromEntries(LEAD_PATHS.map((path) => [path, leadValue(routed, path)]))).toEqual({
      email: 'ana@example.com',
      phone: '+33612345678',
      first_name: 'Ana',
      last_name: 'Silva',
      full_name: 'Ana Silva',
      company: 'Silva Labs',
      job_title: 'CTO',
      country: 'FR',
      city: 'Lyon',
      form: 'Contact us',
      campaign: 'Webinar 2026',
      source: 'typeform',
      tags: 'campaign:webinar-2026;form:contact-us;source:typeform;utm_campaign:spring;utm_content:ad-1;utm_medium:cpc;utm_source:google;utm_term:crm;vip',
      'utm.source': 'google',
      'utm.medium': 'cpc',
      'utm.campaign': 'spring',
      'utm.term': 'crm',
      'utm.content': 'ad-1',
      'consent.marketing': true,
      'consent.terms': false,
      normalizer_version: NORMALIZER_VERSION,
      event: 'invitee.canceled',
      status: 'canceled',
    });
    for (const path of LEAD_PATHS) expect(leadValue(routed, path)).toBeDefined();
  });

  it('joins tags with `;`, and has no value for a lead without tags', () => {
    expect(leadValue({ ...bare, tags: ['a', 'b c', 'd'] }, 'tags')).toBe('a;b c;d');
    expect(leadValue({ ...bare, tags: ['only'] }, 'tags')).toBe('only');
    expect(leadValue({ ...bare, tags: [] }, 'tags')).toBeUndefined();
  });

  it('reads custom values of every kind, and none for null or a missing key', () => {
    expect(leadValue(full, 'custom.plan')).toBe('pro');
    expect(leadValue(full, 'custom.seats')).toBe(12);
    expect(leadValue(full, 'custom.vip')).toBe(true);
    expect(leadValue(full, 'custom.trial')).toBe(false);
    expect(leadValue(full, 'custom.zero')).toBe(0);
    expect(leadValue(full, 'custom.empty')).toBe('');
    expect(leadValue(full, 'custom.none')).toBeUndefined();
    expect(leadValue(full, 'custom.budget')).toBeUndefined();
  });

  it('has no value for the fields a lead lacks', () => {
    for (const path of ['phone', 'company', 'utm.source', 'consent.marketing', 'campaign'] as const)
      expect(leadValue(bare, path)).toBeUndefined();
  });
});

describe('mapFields', () => {
  it('maps every path that has a value, and skips the rest', () => {
    expect(
      mapFields(bare, {
        email: 'email',
        firstname: 'first_name',
        hs_analytics_source: 'utm.source',
        lead_source: 'source',
      }),
    ).toEqual({ email: 'ana@example.com', lead_source: 'n8n' });
  });

  it('maps nested, tag and custom paths, keeping falsy values but not null or empty strings', () => {
    expect(
      mapFields(full, {
        utm_source__c: 'utm.source',
        opt_in: 'consent.marketing',
        terms: 'consent.terms',
        tags__c: 'tags',
        plan: 'custom.plan',
        seats: 'custom.seats',
        trial: 'custom.trial',
        zero: 'custom.zero',
        none: 'custom.none',
        empty: 'custom.empty',
        missing: 'custom.missing',
      }),
    ).toEqual({
      utm_source__c: 'google',
      opt_in: true,
      terms: false,
      tags__c:
        'campaign:webinar-2026;form:contact-us;source:typeform;utm_campaign:spring;utm_content:ad-1;utm_medium:cpc;utm_source:google;utm_term:crm;vip',
      plan: 'pro',
      seats: 12,
      trial: false,
      zero: 0,
    });
  });

  it('skips an empty string wherever it comes from', () => {
    expect(mapFields({ ...bare, city: '' }, { city: 'city', email: 'email' })).toEqual({
      email: 'ana@example.com',
    });
  });

  it('sends the constants, and a constant wins over a mapped field', () => {
    expect(
      mapFields(
        full,
        { lifecyclestage: 'custom.plan', email: 'email' },
        { lifecyclestage: 'lead', score: 0, hot: false },
      ),
    ).toEqual({ lifecyclestage: 'lead', email: 'ana@example.com', score: 0, hot: false });
    expect(mapFields(bare, {}, { LeadSource: 'Web' })).toEqual({ LeadSource: 'Web' });
    expect(mapFields(bare, {})).toEqual({});
  });
});

describe('isLeadPath', () => {
  it('accepts every LEAD_PATHS entry and custom.<key>', () => {
    for (const path of LEAD_PATHS) expect(isLeadPath(path)).toBe(true);
    for (const path of ['custom.budget', 'custom.lead_status', 'custom.a-b', 'custom.Δ'])
      expect(isLeadPath(path)).toBe(true);
  });

  it.each([
    'first',
    'firstname',
    'Email',
    'utm',
    'utm.foo',
    'utm_source',
    'consent',
    'consent.other',
    'custom',
    'custom.',
    'custom.a.b',
    'original.email',
    'flags',
    'email.domain',
    '',
  ])('refuses %j', (path) => {
    expect(isLeadPath(path)).toBe(false);
  });

  it('narrows to LeadPath for leadValue', () => {
    const path: string = 'utm.campaign';
    if (!isLeadPath(path)) throw new Error('utm.campaign is a lead path');
    const narrowed: LeadPath = path;
    expect(leadValue(full, narrowed)).toBe('spring');
  });
});

describe('custom keys are own keys only', () => {
  it('`custom.constructor` and `custom.toString` resolve to nothing unless the lead has them', () => {
    const lead = normalizeLead({ email: 'a@b.co', custom: { budget: 10 } }, { source: 'demo' });
    expect(leadValue(lead, 'custom.constructor')).toBeUndefined();
    expect(leadValue(lead, 'custom.toString')).toBeUndefined();
    expect(mapFields(lead, { x: 'custom.constructor', y: 'custom.budget' })).toEqual({ y: 10 });
  });
});
