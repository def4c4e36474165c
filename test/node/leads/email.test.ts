import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { EmailSchema } from '../../../src/leads/lead';
import { normalizeEmail } from '../../../src/leads/normalize/email';

describe('email rule', () => {
  it.each([
    [' Ana.Silva@Example.COM ', 'ana.silva@example.com'],
    ['mailto:ana@example.com', 'ana@example.com'],
    ['ana\u200b@example.com', 'ana@example.com'],
    ["O'Neil+CRM@Mail.Example.co.uk", "o'neil+crm@mail.example.co.uk"],
    ['ANA@XN--BCHER-KVA.EXAMPLE', 'ana@xn--bcher-kva.example'],
  ])('normalises %j to %j, keeping what it received', (raw, expected) => {
    const result = normalizeEmail(raw);
    expect(result.email).toBe(expected);
    expect(result.original).toBe(raw);
    expect(result.flag).toBeUndefined();
    expect(v.is(EmailSchema, result.email)).toBe(true);
  });

  it.each([
    ['Jane Doe <jane@acme.com>', 'jane@acme.com'],
    ['"Doe, Jane" <Jane@Acme.com>', 'jane@acme.com'],
    ['<jane@acme.com>', 'jane@acme.com'],
    ['jane @ acme.com', 'jane@acme.com'],
    ['jane@ acme .com', 'jane@acme.com'],
    ['jane.doe @acme.com', 'jane.doe@acme.com'],
    ['jane@acme.com.', 'jane@acme.com'],
    ['jane@acme.com...', 'jane@acme.com'],
    ['mailto: jane@acme.com', 'jane@acme.com'],
    ['MAILTO:Jane@Acme.com.', 'jane@acme.com'],
    ['jane@bücher.de', 'jane@xn--bcher-kva.de'],
    ['Jane@BÜCHER.de', 'jane@xn--bcher-kva.de'],
    ['jane@例え.jp', 'jane@xn--r8jz45g.jp'],
    ['jane@ｅｘａｍｐｌｅ．ｃｏｍ', 'jane@example.com'],
    ['jane@münchen.de.', 'jane@xn--mnchen-3ya.de'],
  ])('repairs %j to %j, keeping what it received', (raw, expected) => {
    expect(normalizeEmail(raw)).toEqual({ email: expected, original: raw });
  });

  it.each([
    ['jane@acme.com, bob@acme.com', 'jane@acme.com'],
    ['jane@acme.com; bob@acme.com', 'jane@acme.com'],
    ['jane@acme.com | bob@acme.com', 'jane@acme.com'],
    ['jane@acme.com bob@acme.com', 'jane@acme.com'],
    ['jane@acme.com or bob@acme.com', 'jane@acme.com'],
    ['jane@acme.com / bob@acme.com', 'jane@acme.com'],
    ['jane@acme, bob@acme.com', 'bob@acme.com'],
    ['Jane <jane@acme>, Bob <bob@acme.com>', 'bob@acme.com'],
  ])('keeps the first valid address of %j, the field in original', (raw, expected) => {
    expect(normalizeEmail(raw)).toEqual({ email: expected, original: raw });
  });

  it('records no original when the address was already normal', () => {
    expect(normalizeEmail('ana@example.com')).toEqual({ email: 'ana@example.com' });
    expect(normalizeEmail('a|b@example.com')).toEqual({ email: 'a|b@example.com' });
    expect(normalizeEmail("{o'neil}+~x@example.com")).toEqual({ email: "{o'neil}+~x@example.com" });
    expect(normalizeEmail('  ana@example.com')).toEqual({ email: 'ana@example.com' });
  });

  it.each([
    'ana@',
    'ana example.com',
    'ana@example',
    'ana@@example.com',
    'ana@exa_mple.com',
    'ana..silva@example.com',
    '.ana@example.com',
    'ana@-example.com',
    // An internationalised local part stays refused: no CRM in use accepts one.
    'josé@example.com',
    'josé@bücher.de',
    // A space between two letters is not a typo that can be undone: janedoe@ or doe@?
    'jane doe@acme.com',
    'Jane Doe jane@acme.com',
    // Only host name characters are given to the URL parser: no path, port or credentials.
    'jane@bücher.de/evil',
    'jane@bücher.de:8080',
    'jane@１２７.０.０.１',
    'jane@ü-.de',
    'jane@-ü.de',
    'jane@bücher..de',
    'Jane <not an address>',
    '🙂',
    `${'a'.repeat(250)}@example.com`,
    `${'a'.repeat(250)}@bücher.de`,
    Array.from({ length: 12 }, (_, i) => `x${i}@bad`)
      .concat('ok@example.com')
      .join(', '),
  ])('flags %j as invalid but keeps it in original', (raw) => {
    expect(normalizeEmail(raw)).toEqual({ original: raw, flag: 'invalid_email' });
  });

  it.each([undefined, '', '   ', '\u200b'])('treats %j as no email at all', (raw) => {
    expect(normalizeEmail(raw)).toEqual({});
  });

  it.each(['N/A', 'none', 'null', '-', 'test', 'asdf', 'xxx', 'unknown', 'no', 'n / a', 'NULL'])(
    'treats the placeholder %j as no email, unflagged, keeping it in original',
    (raw) => {
      expect(normalizeEmail(raw)).toEqual({ original: raw });
    },
  );
});
