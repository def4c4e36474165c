import fc from 'fast-check';
import { getCountries, getCountryCallingCode } from 'libphonenumber-js/min';
import { describe, expect, it } from 'vitest';
import { isMaskedPhone, MASKED, maskEmail, maskPhone } from '../../../src/alerts/mask';

describe('maskEmail', () => {
  it.each([
    ['jane.doe@acme.com', 'j***@acme.com'],
    ['j@acme.com', 'j***@acme.com'],
    ['  Jane@Acme.CO.uk ', 'J***@Acme.CO.uk'],
    ['élodie@exemple.fr', 'é***@exemple.fr'],
    ['😀x@y.io', '😀***@y.io'],
    ['"a@b"@c.com', '"***@c.com'],
    ['jo@bücher.de', 'j***@bücher.de'],
  ])('masks %j as %j', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });

  it.each([
    '',
    'jane',
    '@acme.com',
    'jane@',
    'jane@acme .com',
    'jane@[10.0.0.1]',
    'jane@acme..com',
    'jane@-acme.com',
    ' @acme.com',
    `jane@${'a'.repeat(250)}.com`,
  ])('masks the unreadable %j as ***', (email) => {
    expect(maskEmail(email)).toBe(MASKED);
  });

  it('is total on values that are not strings', () => {
    expect(maskEmail(undefined as unknown as string)).toBe(MASKED);
    expect(maskEmail(42 as unknown as string)).toBe(MASKED);
  });

  it('gives a masked address back unchanged', () => {
    expect(maskEmail(maskEmail('jane.doe@acme.com'))).toBe('j***@acme.com');
  });

  it('never shows the local part beyond its first character', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const masked = maskEmail(email);
        if (masked === MASKED) return;
        const at = email.lastIndexOf('@');
        const [local, domain] = [email.slice(0, at), email.slice(at + 1)];
        expect(masked).toBe(`${String.fromCodePoint(local.codePointAt(0)!)}***@${domain}`);
        // What is left of the mask before the domain is one character and the stars.
        expect(masked.slice(0, masked.lastIndexOf('@')).replace('***', '')).toHaveLength(
          String.fromCodePoint(local.codePointAt(0)!).length,
        );
      }),
    );
  });

  it('never returns the input or throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (raw) => {
        const masked = maskEmail(raw);
        if (masked !== MASKED) expect(masked).toMatch(/^.{1,2}\*\*\*@/u);
        const at = raw.trim().lastIndexOf('@');
        if (at > 1) expect(masked).not.toContain(raw.trim().slice(0, at));
      }),
    );
  });
});

describe('maskPhone', () => {
  it.each([
    ['+447400123456', '+44 ******* 456'],
    ['+12015550123', '+1 ******* 123'],
    ['+33612345678', '+33 ****** 678'],
    ['+4915123456789', '+49 ******** 789'],
    ['+447400123456;ext=12', '+44 ******* 456'],
    ['+6831234', '+683 ****'],
  ])('masks %j as %j', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it.each(['', '+', '+1', '07400 123456', 'not a phone', '+999123456789', '9'.repeat(300)])(
    'masks the unreadable %j as ***',
    (phone) => {
      expect(maskPhone(phone)).toBe(MASKED);
    },
  );

  it('is total on values that are not strings', () => {
    expect(maskPhone(null as unknown as string)).toBe(MASKED);
  });

  const e164 = fc
    .tuple(fc.constantFrom(...getCountries()), fc.stringMatching(/^[1-9]\d{3,13}$/))
    .map(([country, national]) => `+${getCountryCallingCode(country)}${national}`);

  it('shows the calling code, at most the last 3 digits, and a star per hidden digit', () => {
    fc.assert(
      fc.property(e164, (phone) => {
        const masked = maskPhone(phone);
        expect(isMaskedPhone(masked)).toBe(true);
        if (masked === MASKED) return;
        const [, callingCode, stars, shown = ''] = /^\+(\d{1,3}) (\*+)(?: (\d{3}))?$/.exec(masked)!;
        expect(phone.startsWith(`+${callingCode}`)).toBe(true);
        expect(shown.length).toBeLessThanOrEqual(3);
        expect(phone.endsWith(shown)).toBe(true);
        expect(`+${callingCode}`.length - 1 + stars!.length + shown.length).toBe(phone.length - 1);
        // No digit of the national number is shown but the last three.
        expect(masked.slice(callingCode!.length + 1).replace(/\D/g, '')).toBe(shown);
      }),
    );
  });

  it('never returns more than three digits of any input, or throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (raw) => {
        const masked = maskPhone(raw);
        expect(isMaskedPhone(masked)).toBe(true);
        const digits = masked.split(' ').slice(1).join('').replace(/\D/g, '');
        expect(digits.length).toBeLessThanOrEqual(3);
      }),
    );
  });
});
