import { getCountries } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import {
  countries,
  countryCode,
  foldCountryName,
  normalizeCountry,
} from '../../../src/leads/normalize/country';

describe('country rule', () => {
  it.each([
    ['fr', 'FR'],
    ['De', 'DE'],
    ['uk', 'GB'],
    ['UK', 'GB'],
    ['U.K.', 'GB'],
    ['United Kingdom', 'GB'],
    ['united kingdom', 'GB'],
    ['England', 'GB'],
    ['Great Britain', 'GB'],
    ['Scotland', 'GB'],
    ['usa', 'US'],
    ['USA', 'US'],
    ['U.S.A.', 'US'],
    ['U.S.', 'US'],
    ['United States of America', 'US'],
    ['united states', 'US'],
    ['Deutschland', 'DE'],
    ['Germany', 'DE'],
    ['DEU', 'DE'],
    ['deu', 'DE'],
    ['GBR', 'GB'],
    ['FRA', 'FR'],
    ['France', 'FR'],
    ['FRANCE', 'FR'],
    [' france 🇫🇷', 'FR'],
    ["Côte d'Ivoire", 'CI'],
    ['Cote d’Ivoire', 'CI'],
    ['Ivory Coast', 'CI'],
    ['Bosnia and Herzegovina', 'BA'],
    ['Bosnia & Herzegovina', 'BA'],
    ['Saint Lucia', 'LC'],
    ['St Lucia', 'LC'],
    ['St. Lucia', 'LC'],
    ['The Netherlands', 'NL'],
    ['Holland', 'NL'],
    ['Hong Kong', 'HK'],
    ['Hong Kong SAR China', 'HK'],
    ['Turkey', 'TR'],
    ['Türkiye', 'TR'],
    ['Czech Republic', 'CZ'],
    ['Korea, Republic of', 'KR'],
    ['South Korea', 'KR'],
    ['Viet Nam', 'VN'],
    ['Russian Federation', 'RU'],
    ['Åland Islands', 'AX'],
    ['Kosovo', 'XK'],
  ])('reads %j as %s', (raw, expected) => {
    expect(normalizeCountry(raw)).toBe(expected);
  });

  it('reads two letters as a code, even the placeholders "no" (Norway) and "na" (Namibia)', () => {
    expect(normalizeCountry('no')).toBe('NO');
    expect(normalizeCountry('NA')).toBe('NA');
    expect(normalizeCountry('zz')).toBe('ZZ');
  });

  it.each(['Atlantis', 'Bavaria', 'Korea', 'EUR', 'N.A.', 'Republic of Nowhere'])(
    'keeps %j as sent: a name the table does not know',
    (raw) => {
      expect(normalizeCountry(raw)).toBe(raw);
    },
  );

  it.each(['N/A', 'none', 'unknown', '-', 'null', 'test', 'xxx', 'n / a'])(
    'treats %j as no country',
    (raw) => {
      expect(normalizeCountry(raw)).toBeUndefined();
    },
  );

  it('gives the same code for a code as for the code it returned', () => {
    for (const raw of ['England', 'DEU', 'U.S.A.', 'uk', 'Atlantis']) {
      const once = normalizeCountry(raw);
      expect(normalizeCountry(once)).toBe(once);
    }
  });
});

describe('country table', () => {
  it('knows every region libphonenumber does, by alpha-2 and by name', () => {
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    for (const code of getCountries()) {
      expect(countryCode(code)).toBe(code);
      expect(countryCode(names.of(code) ?? '')).toBe(code);
    }
  });

  it('has 249 ISO 3166-1 codes plus AC, TA and XK, each once, and no name read as two countries', () => {
    const rows = countries();
    expect(rows.filter((row) => row.alpha3 !== undefined)).toHaveLength(249);
    expect(
      rows.map((row) => row.alpha2).filter((code) => !rows.some((row) => row.alpha2 === code && row.alpha3)),
    ).toEqual(['AC', 'TA', 'XK']);
    expect(new Set(rows.map((row) => row.alpha2)).size).toBe(rows.length);
    expect(new Set(rows.map((row) => row.alpha3)).size).toBe(rows.length - 2);
    const owner = new Map<string, string>();
    for (const row of rows) {
      expect(row.alpha2).toMatch(/^[A-Z]{2}$/);
      if (row.alpha3) {
        expect(row.alpha3).toMatch(/^[A-Z]{3}$/);
        expect(countryCode(row.alpha3)).toBe(row.alpha2);
      }
      for (const name of row.names) {
        const folded = foldCountryName(name);
        expect(folded, name).not.toBe('');
        expect(owner.get(folded) ?? row.alpha2, name).toBe(row.alpha2);
        owner.set(folded, row.alpha2);
        expect(countryCode(name), name).toBe(row.alpha2);
      }
    }
    expect(countryCode('XYZ')).toBeUndefined();
  });

  it('folds names the way forms type them', () => {
    expect(foldCountryName('  The  Gambia ')).toBe('gambia');
    expect(foldCountryName('São Tomé & Príncipe')).toBe('sao tome and principe');
    expect(foldCountryName('St. Kitts & Nevis')).toBe('saint kitts and nevis');
    expect(foldCountryName('U.S.A.')).toBe('usa');
  });

  it('does not look up a long text', () => {
    expect(countryCode(`France${' '.repeat(100)}x`)).toBeUndefined();
    expect(normalizeCountry('France '.repeat(20_000))).toBe('France '.repeat(20_000).trim());
  });
});
