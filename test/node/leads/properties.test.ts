import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { type LeadInput, LeadSchema, toLeadInput } from '../../../src/leads/lead';
import { type NormalizeOptions, normalizeLead } from '../../../src/leads/normalize';
import { cleanCompanyText } from '../../../src/leads/normalize/company';
import { type NamePart, recaseName } from '../../../src/leads/normalize/name';
import { cleanText } from '../../../src/leads/normalize/text';

// Pieces of the input real forms produce, and of the input that breaks naive string code: case
// mappings that change length, combining marks, joiners, flags, a lone surrogate.
const piece = fc.constantFrom(
  'JOHN',
  'mcdonald',
  "O'NEIL",
  'o’neil',
  'van',
  'DER',
  'de la',
  'José',
  'JOSÉ',
  'e\u0301',
  '\u0301',
  'ß',
  'İ',
  'ǅ',
  'ΣΊΣΥΦΟΣ',
  'ͅ',
  '李',
  '-',
  ' ',
  '  ',
  '\t',
  '\n',
  '\u200b',
  '\u00a0',
  '\ufeff',
  '🚀',
  '👩🏽‍💻',
  '🇫🇷',
  '1️⃣',
  '@',
  ' @ ',
  ' at ',
  ' - ',
  ' | ',
  ',',
  'CEO',
  'Head of Sales',
  'Acme',
  'Inc.',
  '+33',
  '06 12 34 56 78',
  '(201) 555-0123',
  'ana@example.com',
  'ANA@EXAMPLE.COM',
  'mailto:',
  'Dr.',
  'III',
  '\ud83d',
);
const messy = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join('')),
);
const customValue = fc.oneof(messy, fc.double(), fc.integer(), fc.boolean(), fc.constant(null));

const leadInput: fc.Arbitrary<LeadInput> = fc.record(
  {
    email: messy,
    phone: messy,
    first_name: messy,
    last_name: messy,
    full_name: messy,
    company: messy,
    job_title: messy,
    country: fc.oneof(messy, fc.constantFrom('fr', 'US', 'gb', 'France')),
    city: messy,
    form: messy,
    campaign: messy,
    utm_source: messy,
    utm_medium: messy,
    utm_campaign: messy,
    utm_term: messy,
    utm_content: messy,
    consent_marketing: fc.boolean(),
    consent_terms: fc.boolean(),
    custom: fc.dictionary(messy, customValue, { maxKeys: 4 }),
    tags: fc.array(messy, { maxLength: 3 }),
    flags: fc.array(fc.oneof(messy, fc.constantFrom('invalid_email', 'invalid_phone')), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const options: fc.Arbitrary<NormalizeOptions> = fc.record(
  {
    source: fc.constantFrom('typeform', 'n8n', 'Meta Lead Ads'),
    defaultRegion: fc.constantFrom('US', 'FR', 'GB', 'zz'),
  },
  { requiredKeys: ['source'] },
);
const RUNS = { numRuns: 2000 };

describe('normalizeLead properties', () => {
  it('never throws, and every lead it returns passes LeadSchema', () => {
    fc.assert(
      fc.property(leadInput, options, (input, opts) => {
        const result = v.safeParse(LeadSchema, normalizeLead(input, opts));
        expect(result.issues?.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`)).toBeUndefined();
      }),
      RUNS,
    );
  });

  it('is idempotent: a normalised lead fed back as input comes out unchanged', () => {
    fc.assert(
      fc.property(leadInput, options, (input, opts) => {
        const once = normalizeLead(input, opts);
        expect(normalizeLead(toLeadInput(once), opts)).toStrictEqual(once);
      }),
      RUNS,
    );
  });

  it('never silently drops an email or phone: it is kept, or flagged and kept in original', () => {
    fc.assert(
      fc.property(leadInput, options, (input, opts) => {
        const lead = normalizeLead(input, opts);
        if (cleanText(input.email) !== undefined) {
          expect(
            lead.email !== undefined ||
              (lead.flags.includes('invalid_email') && lead.original.email !== undefined),
          ).toBe(true);
        }
        if (cleanText(input.phone) !== undefined) {
          expect(
            lead.phone !== undefined ||
              (lead.flags.includes('invalid_phone') && lead.original.phone !== undefined),
          ).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

describe('rule properties', () => {
  it('recasing a name twice is recasing it once', () => {
    fc.assert(
      fc.property(messy, fc.constantFrom<NamePart>('given', 'family', 'full'), (name, part) => {
        const once = recaseName(name, part);
        expect(recaseName(once, part)).toBe(once);
      }),
      RUNS,
    );
  });

  it('company text is stable under its own cleaning and holds only the CRM-safe set', () => {
    fc.assert(
      fc.property(messy, (raw) => {
        const once = cleanCompanyText(raw);
        if (once === undefined) return;
        expect(cleanCompanyText(once)).toBe(once);
        expect(once).toMatch(/^[\p{L}\p{M}\p{N} &'.,\-/()+@#!:_]+$/u);
      }),
      RUNS,
    );
  });
});
