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
    expect(NORMALIZER_VERSION).not.toBe('1');
  });
});
