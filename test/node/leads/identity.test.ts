import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { leadContractProblem, mergeLeads, personKeys } from '../../../src/leads/identity';
import type { Lead } from '../../../src/leads/lead';
import { normalizeLead } from '../../../src/leads/normalize';

// An independent implementation to check the WebCrypto one against.
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const lead = (fields: Partial<Lead>): Lead => ({
  normalizer_version: '2026-11-25.2',
  source: 'typeform',
  utm: {},
  tags: [],
  consent: {},
  custom: {},
  original: {},
  flags: [],
  ...fields,
});

describe('person keys', () => {
  it('are SHA-256 hex of the kind-prefixed normalised values', async () => {
    const keys = await personKeys({ email: 'ana@example.com', phone: '+33612345678' });
    expect(keys).toEqual({ email: sha256('email:ana@example.com'), phone: sha256('phone:+33612345678') });
    expect(keys.email).toMatch(/^[0-9a-f]{64}$/);
  });

  it('are the same for the same person however the platform spelled them', async () => {
    const a = normalizeLead(
      { email: ' Ana@Example.COM', phone: '06 12 34 56 78' },
      { source: 'x', defaultRegion: 'FR' },
    );
    const b = normalizeLead({ email: 'ana@example.com', phone: '+33 6 12 34 56 78' }, { source: 'y' });
    expect(await personKeys(a)).toEqual(await personKeys(b));
  });

  it('keep emails and phones in separate key spaces', async () => {
    const value = '+33612345678';
    const { email } = await personKeys({ email: value });
    const { phone } = await personKeys({ phone: value });
    expect(email).not.toBe(phone);
  });

  it('are absent for what the lead does not have', async () => {
    expect(await personKeys({})).toEqual({});
    expect(Object.keys(await personKeys({ phone: '+12015550123' }))).toEqual(['phone']);
  });
});

describe('lead contract', () => {
  it('needs a valid email or phone', () => {
    expect(leadContractProblem(lead({ email: 'ana@example.com' }))).toBeUndefined();
    expect(leadContractProblem(lead({ phone: '+12015550123' }))).toBeUndefined();
    expect(leadContractProblem(lead({ first_name: 'Ana' }))).toBe('no_contact');
  });

  it('does not count an email that failed validation as contact', () => {
    const invalid = normalizeLead({ email: 'ana at example', full_name: 'Ana Silva' }, { source: 'x' });
    expect(leadContractProblem(invalid)).toBe('no_contact');
  });
});

describe('mergeLeads', () => {
  const older = lead({
    email: 'ana@example.com',
    phone: '+33612345678',
    first_name: 'Ana',
    company: 'Silva Labs',
    utm: { source: 'google', campaign: 'spring' },
    tags: ['source:typeform', 'utm_source:google'],
    consent: { marketing: true },
    custom: { plan: 'pro', seats: 5 },
    original: { phone: '06 12 34 56 78' },
    flags: ['invalid_email'],
  });

  it('lets non-empty newer values win and keeps older ones the newer lead lacks', () => {
    const newer = lead({
      normalizer_version: '2026-12-01.1',
      source: 'calendly',
      email: 'ana@example.com',
      first_name: 'Ana',
      last_name: 'Silva',
      company: '',
      utm: { source: 'newsletter' },
      consent: { marketing: false },
    });
    const merged = mergeLeads(older, newer);
    expect(merged).toMatchObject({
      normalizer_version: '2026-12-01.1',
      source: 'calendly',
      phone: '+33612345678',
      last_name: 'Silva',
      company: 'Silva Labs',
      utm: { source: 'newsletter', campaign: 'spring' },
      consent: { marketing: false },
    });
  });

  it('unions tags, custom fields and flags', () => {
    const newer = lead({
      tags: ['source:calendly', 'source:typeform'],
      custom: { seats: 8, team: 'growth' },
      flags: ['invalid_phone'],
    });
    const merged = mergeLeads(older, newer);
    expect(merged.tags).toEqual(['source:calendly', 'source:typeform', 'utm_source:google']);
    expect(merged.custom).toEqual({ plan: 'pro', seats: 8, team: 'growth' });
    expect(merged.flags).toEqual(['invalid_email', 'invalid_phone']);
  });

  it('keeps each original with the value it explains', () => {
    const newer = lead({ phone: '+33698765432', original: { phone: '06 98 76 54 32' } });
    expect(mergeLeads(older, newer).original.phone).toBe('06 98 76 54 32');
    expect(mergeLeads(older, lead({})).original.phone).toBe('06 12 34 56 78');
  });
});
