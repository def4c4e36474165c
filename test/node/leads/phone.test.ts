import { describe, expect, it } from 'vitest';
import { normalizePhone, phoneRegion } from '../../../src/leads/normalize/phone';

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

  it('falls back to the default when the country is unknown or missing', () => {
    expect(phoneRegion('Atlantis', 'US')).toBe('US');
    expect(phoneRegion('ZZ', 'GB')).toBe('GB');
    expect(phoneRegion(undefined, 'de')).toBe('DE');
  });

  it('has no region when neither is a supported code', () => {
    expect(phoneRegion('Atlantis', 'EU')).toBeUndefined();
  });
});
