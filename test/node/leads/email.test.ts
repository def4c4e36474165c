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

  it('records no original when the address was already normal', () => {
    expect(normalizeEmail('ana@example.com')).toEqual({ email: 'ana@example.com' });
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
    'Ana Silva <ana@example.com>',
    'josé@example.com',
    '🙂',
    `${'a'.repeat(250)}@example.com`,
  ])('flags %j as invalid but keeps it in original', (raw) => {
    expect(normalizeEmail(raw)).toEqual({ original: raw, flag: 'invalid_email' });
  });

  it.each([undefined, '', '   ', '\u200b'])('treats %j as no email at all', (raw) => {
    expect(normalizeEmail(raw)).toEqual({});
  });
});
