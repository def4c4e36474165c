import { describe, expect, it } from 'vitest';
import { cleanCompanyText, normalizeCompany, splitJobTitle } from '../../../src/leads/normalize/company';

describe('job title in the company field', () => {
  it.each([
    ['CEO @ Acme', 'Acme', 'CEO'],
    ['CEO@Acme', 'Acme', 'CEO'],
    ['Head of Sales at Acme', 'Acme', 'Head of Sales'],
    ['Acme - Head of Sales', 'Acme', 'Head of Sales'],
    ['Head of Sales - Acme', 'Acme', 'Head of Sales'],
    ['Acme, CTO', 'Acme', 'CTO'],
    ['Acme - Head of Sales - EMEA', 'Acme', 'Head of Sales - EMEA'],
    ['Co-Founder @ Tiny Robots', 'Tiny Robots', 'Co-Founder'],
  ])('splits %j into company %j and title %j', (text, company, jobTitle) => {
    expect(splitJobTitle(text)).toEqual({ company, job_title: jobTitle });
  });

  it.each([
    'Acme, Inc.',
    'Smith, Jones & Co',
    "Eat at Joe's",
    'info@acme.example',
    'Coca-Cola',
    'Director - Manager',
    'CEO @ ',
  ])('leaves %j whole: no side reads as a title, or both do', (text) => {
    expect(splitJobTitle(text)).toBeUndefined();
  });
});

describe('CRM-safe company text', () => {
  it.each([
    ['  Acme   Corp  ', 'Acme Corp'],
    ['🚀 Rocket Labs 🚀', 'Rocket Labs'],
    ['Acme™ Corp; "Best" <Ltd>', 'Acme Corp Best Ltd'],
    ['AT&T', 'AT&T'],
    ['Yahoo!', 'Yahoo!'],
    ['Acme Inc.', 'Acme Inc.'],
    ['Société Générale', 'Société Générale'],
    ['株式会社トヨタ', '株式会社トヨタ'],
    ['O’Reilly Media', "O'Reilly Media"],
    ['Coca–Cola', 'Coca-Cola'],
    ['- Acme -', 'Acme'],
    ['Acme\tLabs\nGmbH', 'Acme Labs GmbH'],
  ])('cleans %j to %j', (raw, expected) => {
    expect(cleanCompanyText(raw)).toBe(expected);
  });

  it('gives nothing for a company made only of symbols', () => {
    expect(cleanCompanyText('🚀 ™ ;')).toBeUndefined();
  });
});

describe('company rule', () => {
  it('moves the title out when none was given, keeping the company as received', () => {
    expect(normalizeCompany({ company: '🚀 Acme Rockets | CEO' })).toEqual({
      company: 'Acme Rockets',
      job_title: 'CEO',
      original: { company: '🚀 Acme Rockets | CEO' },
    });
  });

  it('leaves the company whole when a title was given', () => {
    expect(normalizeCompany({ company: 'CEO @ Acme', job_title: 'Founder' })).toEqual({
      company: 'CEO @ Acme',
      job_title: 'Founder',
      original: {},
    });
  });

  it('cleans a given title with the same character set', () => {
    expect(normalizeCompany({ job_title: '⭐ Head of Growth ⭐' })).toEqual({
      job_title: 'Head of Growth',
      original: { job_title: '⭐ Head of Growth ⭐' },
    });
  });
});
