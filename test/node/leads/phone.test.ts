import { describe, expect, it } from 'vitest';
import { asciiDigits, normalizePhone, phoneRegion } from '../../../src/leads/normalize/phone';

describe('phone rule', () => {
  it.each([
    ['06 12 34 56 78', 'FR', '+33612345678'],
    ['(201) 555-0123', 'US', '+12015550123'],
    ['07400 123456', 'GB', '+447400123456'],
    ['01512 3456789', 'DE', '+4915123456789'],
    ['+44 7400 123456', undefined, '+447400123456'],
    ['+33 6 12 34 56 78', 'US', '+33612345678'],
    ['00 33 6 12 34 56 78', 'FR', '+33612345678'],
    ['Tel: +1 201-555-0123 ext. 12', undefined, '+12015550123'],
  ] as const)('reads %j in region %s as %s', (raw, region, expected) => {
    const result = normalizePhone(raw, region);
    expect(result).toEqual({ phone: expected, original: raw });
  });

  it('records no original for a number already in E.164', () => {
    expect(normalizePhone('+12015550123', 'FR')).toEqual({ phone: '+12015550123' });
  });

  it.each([
    ['12', 'US'],
    ['not a phone', 'US'],
    ['+1 555 000 0000', undefined],
    ['0612345678', undefined],
    ['1-800-FLOWERS', 'US'],
    ['9'.repeat(300), 'US'],
  ] as const)('flags %j as invalid but keeps it in original', (raw, region) => {
    expect(normalizePhone(raw, region)).toEqual({ original: raw, flag: 'invalid_phone' });
  });

  it.each([undefined, '', '  '])('treats %j as no phone at all', (raw) => {
    expect(normalizePhone(raw, 'US')).toEqual({});
  });

  it.each(['0', ' 0 ', 'N/A', 'n/a', 'none', 'NULL', '-', '--', '.', 'unknown', 'no', 'xxx', 'test'])(
    'treats the placeholder %j as no phone, unflagged, keeping it in original',
    (raw) => {
      expect(normalizePhone(raw, 'US')).toEqual({ original: raw });
    },
  );
});

describe('international prefixes', () => {
  it.each([
    ['0044 20 7946 0958', 'US', '+442079460958'],
    ['0044 20 7946 0958', undefined, '+442079460958'],
    ['0044 20 7946 0958', 'GB', '+442079460958'],
    ['(0044) 20 7946 0958', 'DE', '+442079460958'],
    ['011 44 20 7946 0958', 'US', '+442079460958'],
    ['011 44 20 7946 0958', 'FR', '+442079460958'],
    ['011-44-20-7946-0958', undefined, '+442079460958'],
    ['Tel: 0033 6 12 34 56 78', 'US', '+33612345678'],
  ] as const)('reads %j in region %s as %s', (raw, region, expected) => {
    expect(normalizePhone(raw, region)).toEqual({ phone: expected, original: raw });
  });

  it('keeps a valid national number that starts like a prefix national: 0118 is Reading', () => {
    expect(normalizePhone('0118 496 0123', 'GB')).toMatchObject({ phone: '+441184960123' });
  });
});

describe('digits of other scripts', () => {
  it.each([
    ['＋４４ ２０ ７９４６ ０９５８', undefined, '+442079460958'],
    ['０６ １２ ３４ ５６ ７８', 'FR', '+33612345678'],
    ['٠٦١٢٣٤٥٦٧٨', 'FR', '+33612345678'],
    ['\u200f+٣٣ ٦ ١٢ ٣٤ ٥٦ ٧٨', undefined, '+33612345678'],
    ['۰۶۱۲۳۴۵۶۷۸', 'FR', '+33612345678'],
    ['+९१ ९८७६५ ४३२१०', undefined, '+919876543210'],
    ['๐๖ ๑๒ ๓๔ ๕๖ ๗๘', 'FR', '+33612345678'],
    ['００４４ ２０ ７９４６ ０９５８', 'US', '+442079460958'],
  ] as const)('reads %j in region %s as %s', (raw, region, expected) => {
    expect(normalizePhone(raw, region)).toEqual({ phone: expected, original: raw });
  });

  it('maps every digit of every run, and nothing else', () => {
    expect(asciiDigits('٠١٢٣٤٥٦٧٨٩ ０１２３４５６７８９ ０＋')).toBe('0123456789 0123456789 0+');
    expect(asciiDigits('𝟎𝟗𝟘𝟡𝟬𝟿')).toBe('090909');
    expect(asciiDigits('abc ½ ² ⅷ 李')).toBe('abc ½ ² ⅷ 李');
  });
});

describe('several phones in one field', () => {
  it.each([
    ['+44 20 7946 0958 / +44 7700 900123', '+442079460958'],
    // +44 7700 900123 is in Ofcom's range reserved for drama: not a valid number, so the next wins.
    ['+44 7700 900123 / +44 20 7946 0958', '+442079460958'],
    ['+44 20 7946 0958; +33 6 12 34 56 78', '+442079460958'],
    ['+44 20 7946 0958, +33 6 12 34 56 78', '+442079460958'],
    ['+44 20 7946 0958 | +33 6 12 34 56 78', '+442079460958'],
    ['12345 or +33 6 12 34 56 78', '+33612345678'],
    ['06 12 34 56 78 OR 07 00 00 00 00', '+33612345678'],
    ['0044 20 7946 0958 / 0033 6 12 34 56 78', '+442079460958'],
  ])('keeps the first valid number of %j, the field in original', (raw, expected) => {
    expect(normalizePhone(raw, 'FR')).toEqual({ phone: expected, original: raw });
  });

  it('never splits a field that parses whole: a slash after a German area code', () => {
    expect(normalizePhone('030/1234567', 'DE')).toEqual({ phone: '+49301234567', original: '030/1234567' });
  });

  it('reads ten numbers at most', () => {
    const raw = [...Array.from({ length: 10 }, () => '12'), '+33 6 12 34 56 78'].join(' / ');
    expect(normalizePhone(raw, 'FR')).toEqual({ original: raw, flag: 'invalid_phone' });
    const nine = [...Array.from({ length: 9 }, () => '12'), '+33 6 12 34 56 78'].join(' / ');
    expect(normalizePhone(nine, 'FR')).toMatchObject({ phone: '+33612345678' });
  });
});

describe('phone region', () => {
  it("prefers the lead's own country code to the source's default", () => {
    expect(phoneRegion('fr', 'US')).toBe('FR');
  });

  it('reads a country name as forms send it, in any case and with or without accents', () => {
    expect(phoneRegion('France', 'US')).toBe('FR');
    expect(phoneRegion('united kingdom', 'US')).toBe('GB');
    expect(phoneRegion('UK', 'US')).toBe('GB');
    expect(phoneRegion("Cote d'Ivoire", 'US')).toBe('CI');
    expect(phoneRegion('Deutschland', 'US')).toBe('DE');
    expect(normalizePhone('07400 123456', phoneRegion('United Kingdom', 'US'))).toMatchObject({
      phone: '+447400123456',
    });
  });

  it("reads the country as the country rule does: alpha-3 codes and the table's names", () => {
    expect(phoneRegion('GBR', 'US')).toBe('GB');
    expect(phoneRegion('England', 'US')).toBe('GB');
    expect(phoneRegion('Hong Kong', 'US')).toBe('HK');
    expect(phoneRegion('Türkiye', 'US')).toBe('TR');
    expect(phoneRegion('Kosovo', 'US')).toBe('XK');
  });

  it('falls back to the default when the country is unknown or missing', () => {
    expect(phoneRegion('Atlantis', 'US')).toBe('US');
    expect(phoneRegion('ZZ', 'GB')).toBe('GB');
    expect(phoneRegion(undefined, 'de')).toBe('DE');
  });

  it('has no region when neither is a supported code', () => {
    expect(phoneRegion('Atlantis', 'EU')).toBeUndefined();
  });
});
