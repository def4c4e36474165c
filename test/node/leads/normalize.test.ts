import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { type LeadInput, LeadSchema, toLeadInput } from '../../../src/leads/lead';
import { NORMALIZER_VERSION, normalizeLead } from '../../../src/leads/normalize';

const messy: LeadInput = {
  email: ' Ana.Silva@Example.COM ',
  phone: '06 12 34 56 78',
  full_name: 'ANA SILVA',
  company: 'Founder @ Silva Labs 🚀',
  country: 'fr',
  city: ' Lyon ',
  form: 'Contact us',
  utm_source: ' Google ',
  utm_campaign: 'Spring Sale',
  consent_marketing: false,
  custom: { plan: 'pro', seats: 12, score: Number.NaN },
};

describe('normalizeLead', () => {
  it('applies every rule and records what it changed', () => {
    const lead = normalizeLead(messy, { source: 'typeform', defaultRegion: 'US' });
    expect(lead).toEqual({
      normalizer_version: NORMALIZER_VERSION,
      source: 'typeform',
      email: 'ana.silva@example.com',
      phone: '+33612345678',
      first_name: 'Ana',
      last_name: 'Silva',
      full_name: 'Ana Silva',
      company: 'Silva Labs',
      job_title: 'Founder',
      country: 'FR',
      city: 'Lyon',
      form: 'Contact us',
      utm: { source: 'Google', campaign: 'Spring Sale' },
      tags: ['form:contact-us', 'source:typeform', 'utm_campaign:spring-sale', 'utm_source:google'],
      consent: { marketing: false },
      custom: { plan: 'pro', seats: 12 },
      original: {
        email: ' Ana.Silva@Example.COM ',
        phone: '06 12 34 56 78',
        full_name: 'ANA SILVA',
        company: 'Founder @ Silva Labs 🚀',
      },
      flags: [],
    });
    expect(v.is(LeadSchema, lead)).toBe(true);
  });

  it('never drops an invalid email or phone: both stay in original, flagged, and the lead is still valid', () => {
    const lead = normalizeLead({ email: 'ana at example', phone: '12345' }, { source: 'n8n' });
    expect(lead.email).toBeUndefined();
    expect(lead.phone).toBeUndefined();
    expect(lead.original).toEqual({ email: 'ana at example', phone: '12345' });
    expect(lead.flags).toEqual(['invalid_email', 'invalid_phone']);
    expect(v.is(LeadSchema, lead)).toBe(true);
  });

  it("reads a national phone in the source's default region when the lead has no country code", () => {
    expect(normalizeLead({ phone: '(201) 555-0123' }, { source: 'x', defaultRegion: 'US' }).phone).toBe(
      '+12015550123',
    );
    expect(normalizeLead({ phone: '(201) 555-0123' }, { source: 'x' }).flags).toEqual(['invalid_phone']);
  });

  it('keeps the first original a stored lead carries, and only the flags it knows', () => {
    const lead = normalizeLead(
      {
        email: 'ana@example.com',
        original: { email: 'ANA@EXAMPLE.COM' },
        flags: ['invalid_phone', 'made_up'],
      },
      { source: 'x' },
    );
    expect(lead.original).toEqual({ email: 'ANA@EXAMPLE.COM' });
    expect(lead.flags).toEqual(['invalid_phone']);
  });

  it('changes nothing when a normalised lead is normalised again', () => {
    const options = { source: 'typeform', defaultRegion: 'US' };
    const once = normalizeLead(messy, options);
    expect(normalizeLead(toLeadInput(once), options)).toStrictEqual(once);
  });

  it('is versioned by date and counter', () => {
    expect(NORMALIZER_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}\.\d+$/);
    expect(NORMALIZER_VERSION).toBe('2026-12-03.3');
  });

  const repaired: LeadInput = {
    email: 'Jane Doe <Jane @ Bücher.de.>',
    phone: '＋４４ ２０ ７９４６ ０９５８ / +44 7700 900123',
    full_name: 'PROF. DR. ANNA SCHMIDT',
    company: 'Founder & CEO',
    country: 'Deutschland',
    city: 'n/a',
    campaign: 'none',
    utm_source: '-',
    utm_medium: 'cpc',
  };

  it('applies the 2026-12-03 rules together', () => {
    const lead = normalizeLead(repaired, { source: 'n8n', defaultRegion: 'US' });
    expect(lead).toEqual({
      normalizer_version: '2026-12-03.3',
      source: 'n8n',
      email: 'jane@xn--bcher-kva.de',
      phone: '+442079460958',
      first_name: 'Anna',
      last_name: 'Schmidt',
      full_name: 'Prof. Dr. Anna Schmidt',
      job_title: 'Founder & CEO',
      country: 'DE',
      utm: { medium: 'cpc' },
      tags: ['source:n8n', 'utm_medium:cpc'],
      consent: {},
      custom: {},
      original: {
        email: repaired.email,
        phone: repaired.phone,
        full_name: repaired.full_name,
        company: repaired.company,
      },
      flags: [],
    });
    expect(v.is(LeadSchema, lead)).toBe(true);
    expect(normalizeLead(toLeadInput(lead), { source: 'n8n', defaultRegion: 'US' })).toStrictEqual(lead);
  });

  it('reads a national phone in the region of a country name, and 00/011 in any region', () => {
    expect(normalizeLead({ phone: '020 7946 0958', country: 'England' }, { source: 'x' }).phone).toBe(
      '+442079460958',
    );
    expect(normalizeLead({ phone: '011 44 20 7946 0958' }, { source: 'x', defaultRegion: 'FR' }).phone).toBe(
      '+442079460958',
    );
  });

  it('treats placeholders as absent in every text field, keeping originals where the lead has them', () => {
    const input: LeadInput = {
      email: 'N/A',
      phone: '0',
      first_name: 'none',
      last_name: '-',
      full_name: 'unknown',
      company: 'n/a',
      job_title: 'xxx',
      country: 'Unknown',
      city: 'null',
      form: 'undefined',
      campaign: '--',
      utm_source: 'test',
      utm_medium: 'asdf',
      utm_campaign: '.',
      utm_term: 'NO',
      utm_content: ' N / A ',
    };
    const lead = normalizeLead(input, { source: 'x', defaultRegion: 'US' });
    expect(lead).toEqual({
      normalizer_version: NORMALIZER_VERSION,
      source: 'x',
      utm: {},
      tags: ['source:x'],
      consent: {},
      custom: {},
      original: {
        email: 'N/A',
        phone: '0',
        first_name: 'none',
        last_name: '-',
        full_name: 'unknown',
        company: 'n/a',
        job_title: 'xxx',
      },
      flags: [],
    });
  });

  it('keeps placeholders that custom answers hold: they are answers', () => {
    expect(normalizeLead({ custom: { budget: 'no', seats: '0' } }, { source: 'x' }).custom).toEqual({
      budget: 'no',
      seats: '0',
    });
  });
});
