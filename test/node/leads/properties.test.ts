import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { EmailSchema, type Lead, type LeadInput, LeadSchema, toLeadInput } from '../../../src/leads/lead';
import { type NormalizeOptions, normalizeLead } from '../../../src/leads/normalize';
import { cleanCompanyText } from '../../../src/leads/normalize/company';
import { countryCode, normalizeCountry } from '../../../src/leads/normalize/country';
import { normalizeEmail } from '../../../src/leads/normalize/email';
import { type NamePart, recaseName } from '../../../src/leads/normalize/name';
import { asciiDigits, normalizePhone } from '../../../src/leads/normalize/phone';
import { cleanText, isPlaceholder } from '../../../src/leads/normalize/text';

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
  // The 2026-12-03 rules: honorifics, CJK names, placeholders, prefixes, digits, separators,
  // repairable addresses, countries, titles alone; and letters that fold to ASCII (ſ, K, ｔ).
  'Prof.',
  'Mrs',
  'mr',
  'MR.',
  '山田',
  '太郎',
  '王小明',
  '김',
  '・',
  'N/A',
  'Ｎ／Ａ',
  'none',
  'no',
  'NA',
  'ｔｅｓｔ',
  'teſt',
  'xxx',
  '0',
  '0044',
  '011',
  '＋４４',
  '٠٦١٢',
  '+44 20 7946 0958',
  ' / ',
  ' or ',
  ';',
  '<',
  '>',
  'jane @ acme.com',
  'bücher.de',
  '.',
  'DEU',
  'uk',
  'England',
  'Marketing Manager',
  'Founder & CEO',
  'VP',
  '&',
  '\u212a',
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
    country: fc.oneof(
      messy,
      fc.constantFrom(
        'fr',
        'US',
        'gb',
        'France',
        'uk',
        'DEU',
        'England',
        'U.S.A.',
        'no',
        'na',
        'N/A',
        'Atlantis',
      ),
    ),
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

  it('never silently drops an email or phone: it is kept, or flagged or a placeholder, and in original', () => {
    fc.assert(
      fc.property(leadInput, options, (input, opts) => {
        const lead = normalizeLead(input, opts);
        const email = cleanText(input.email);
        if (email !== undefined) {
          expect(
            lead.email !== undefined ||
              ((lead.flags.includes('invalid_email') || isPlaceholder(email)) &&
                lead.original.email !== undefined),
          ).toBe(true);
        }
        const phone = cleanText(input.phone);
        if (phone !== undefined) {
          expect(
            lead.phone !== undefined ||
              ((lead.flags.includes('invalid_phone') || isPlaceholder(phone, ['0'])) &&
                lead.original.phone !== undefined),
          ).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('outputs no placeholder, and a country that is an alpha-2 code or a name the table does not know', () => {
    fc.assert(
      fc.property(leadInput, options, (input, opts) => {
        const lead = normalizeLead(input, opts);
        for (const value of textFields(lead)) expect(isPlaceholder(value), value).toBe(false);
        // A family name beside a first name may be Na or No: a name there, not a placeholder.
        if (lead.last_name !== undefined)
          expect(
            isPlaceholder(lead.last_name, [], { name: lead.first_name !== undefined }),
            lead.last_name,
          ).toBe(false);
        if (lead.country !== undefined && !/^[A-Z]{2}$/.test(lead.country)) {
          expect(countryCode(lead.country)).toBeUndefined();
        }
      }),
      RUNS,
    );
  });

  it('handles 100 kB fields in linear time: valid, idempotent, and never throwing', () => {
    const long = fc.tuple(messy, fc.array(piece, { minLength: 1, maxLength: 4 })).map(([head, pieces]) => {
      const unit = pieces.join('') || 'a';
      return head + unit.repeat(Math.ceil(LONG / unit.length));
    });
    const fields = fc.subarray([...LONG_FIELDS], { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(long, fields, options, (text, keys, opts) => {
        const input: LeadInput = Object.fromEntries(keys.map((field) => [field, text]));
        expectLinear(input, opts);
      }),
      { numRuns: 30 },
    );
  }, 120_000);

  // Shapes that make a backtracking regex or a recursion blow up: long runs of the characters a
  // rule looks for, each followed by something it does not expect.
  it.each([
    'a ',
    '- ',
    ' -',
    ' @ ',
    'a.',
    '.',
    'a, ',
    '1/',
    '0',
    '<a@b.co>',
    'a@b ',
    '＋４４ ',
    'Dr. ',
    "o'",
    'ceo & ',
    'Acme - ',
    '山田 ',
    'a',
  ])(
    'normalises every field holding %j repeated to 100 kB in linear time',
    (unit) => {
      const text = `${unit.repeat(Math.ceil(LONG / unit.length))}x`;
      expectLinear(Object.fromEntries(LONG_FIELDS.map((field) => [field, text])), {
        source: 'x',
        defaultRegion: 'US',
      });
    },
    60_000,
  );
});

const LONG_FIELDS = [
  'email',
  'phone',
  'first_name',
  'last_name',
  'full_name',
  'company',
  'job_title',
  'country',
  'city',
  'form',
  'campaign',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
] as const;

const LONG = 100_000;

// Quadratic work on 100 kB is 10^10 steps: minutes, not the few hundred milliseconds linear takes.
function expectLinear(input: LeadInput, opts: NormalizeOptions): void {
  const started = performance.now();
  const once = normalizeLead(input, opts);
  expect(performance.now() - started).toBeLessThan(3000);
  expect(v.safeParse(LeadSchema, once).issues).toBeUndefined();
  expect(normalizeLead(toLeadInput(once), opts)).toStrictEqual(once);
}

// The text fields of a lead where a placeholder could survive. Country is left out: two letters are
// always a code there, so Norway's "NO" is kept.
function textFields(lead: Lead): string[] {
  const { email, phone, first_name, full_name, company, job_title, city, form, campaign } = lead;
  return [email, phone, first_name, full_name, company, job_title, city, form, campaign]
    .concat(Object.values(lead.utm))
    .filter((value) => value !== undefined);
}

describe('rule properties', () => {
  it('a repaired email is valid and stays as it is', () => {
    fc.assert(
      fc.property(messy, (raw) => {
        const { email } = normalizeEmail(raw);
        if (email === undefined) return;
        expect(v.is(EmailSchema, email)).toBe(true);
        expect(normalizeEmail(email)).toEqual({ email });
      }),
      RUNS,
    );
  });

  it('a phone in E.164 stays as it is, in any region', () => {
    fc.assert(
      fc.property(messy, fc.constantFrom('US', 'FR', 'GB', undefined), (raw, region) => {
        const { phone } = normalizePhone(raw, region);
        if (phone === undefined) return;
        expect(normalizePhone(phone, region)).toEqual({ phone });
      }),
      RUNS,
    );
  });

  it('reading digits as ASCII leaves no other decimal digit, and reading again changes nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 24 }), (raw) => {
        const once = asciiDigits(raw);
        expect(once).not.toMatch(/(?![0-9])\p{Nd}/u);
        expect(asciiDigits(once)).toBe(once);
      }),
      RUNS,
    );
  });

  it('the country of a country is itself', () => {
    fc.assert(
      fc.property(messy, (raw) => {
        const once = normalizeCountry(raw);
        expect(normalizeCountry(once)).toBe(once);
      }),
      RUNS,
    );
  });

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
