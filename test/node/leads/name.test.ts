import { describe, expect, it } from 'vitest';
import {
  isCjkName,
  type NamePart,
  normalizeNames,
  recaseName,
  splitFullName,
} from '../../../src/leads/normalize/name';

describe('name casing', () => {
  it.each([
    ['JOHN', 'given', 'John'],
    ['mcdonald', 'family', 'McDonald'],
    ['MCDONALD', 'family', 'McDonald'],
    ["O'NEIL", 'family', "O'Neil"],
    ["d'angelo", 'family', "D'Angelo"],
    ['VAN DER BERG', 'family', 'van der Berg'],
    ['ludwig van beethoven', 'full', 'Ludwig van Beethoven'],
    ['JUAN DE LA CRUZ', 'full', 'Juan de la Cruz'],
    ['JOSÉ', 'given', 'José'],
    ['garcía-lópez', 'family', 'García-López'],
    ['JEAN-LUC', 'given', 'Jean-Luc'],
    ['JOHN SMITH III', 'full', 'John Smith III'],
    ['DE', 'family', 'De'],
    ['ΓΙΏΡΓΟΣ', 'given', 'Γιώργος'],
    ['mackenzie', 'family', 'Mackenzie'],
    ['straße', 'family', 'Straße'],
  ] as [string, NamePart, string][])('recases %j (%s) as %j', (name, part, expected) => {
    expect(recaseName(name, part)).toBe(expected);
  });

  it.each(['McDonald', 'DeShawn', 'van der Berg', 'LeBron', 'JOHN mcdonald', 'DJ Khaled', '李小龙', '12345'])(
    'leaves %j alone: mixed case is the person’s own spelling, and no case is no casing',
    (name) => {
      expect(recaseName(name, 'full')).toBe(name);
    },
  );
});

describe('full name split', () => {
  it.each([
    ['John Smith', { first_name: 'John', last_name: 'Smith', inverted: false }],
    ['Ludwig van Beethoven', { first_name: 'Ludwig', last_name: 'van Beethoven', inverted: false }],
    ['Smith, John', { first_name: 'John', last_name: 'Smith', inverted: true }],
    ['John Smith, Jr.', { first_name: 'John', last_name: 'Smith, Jr.', inverted: false }],
    ['Dr. Jane Smith', { first_name: 'Jane', last_name: 'Smith', inverted: false }],
    ['Prof. Dr. Anna Schmidt', { first_name: 'Anna', last_name: 'Schmidt', inverted: false }],
    ['mr smith', { last_name: 'smith', inverted: false }],
    ['Dr Anna', { last_name: 'Anna', inverted: false }],
    ['Mrs.', { inverted: false }],
    ['Mr Mrs', { inverted: false }],
    ['Smith, Dr. John', { first_name: 'John', last_name: 'Smith', inverted: true }],
    ['Cher', { first_name: 'Cher', inverted: false }],
    ['山田 太郎', { first_name: '太郎', last_name: '山田', inverted: false }],
    ['김 민준', { first_name: '민준', last_name: '김', inverted: false }],
    ['やまだ たろう', { first_name: 'たろう', last_name: 'やまだ', inverted: false }],
    ['ヤマダ タロウ', { first_name: 'タロウ', last_name: 'ヤマダ', inverted: false }],
    ['佐々木 健太', { first_name: '健太', last_name: '佐々木', inverted: false }],
    ['王小明', { inverted: false }],
    ['김민준', { inverted: false }],
    ['山田 太郎 花子', { inverted: false }],
    ['山田 Taro', { inverted: false }],
    ['Taro 山田', { inverted: false }],
    ['ジョン・スミス', { inverted: false }],
  ])('splits %j', (full, expected) => {
    expect(splitFullName(full)).toEqual(expected);
  });
});

describe('CJK names', () => {
  it.each(['山田', '太郎', '王小明', '김민준', 'やまだ', 'ヤマダ', '佐々木', 'ジョン・スミス', '山田 太郎'])(
    'reads %j as family-name-first script',
    (name) => {
      expect(isCjkName(name)).toBe(true);
    },
  );

  it.each(['Anna', '山田 Taro', 'Γιώργος', 'Иван', '李 Bruce', '123'])('reads %j as not CJK', (name) => {
    expect(isCjkName(name)).toBe(false);
  });

  it('reads a two-word CJK full name family first', () => {
    expect(normalizeNames({ full_name: '山田 太郎' })).toEqual({
      first_name: '太郎',
      last_name: '山田',
      full_name: '山田 太郎',
      original: {},
    });
  });

  it('keeps a CJK name without a space whole, guessing no parts', () => {
    expect(normalizeNames({ full_name: '王小明' })).toEqual({ full_name: '王小明', original: {} });
  });

  it('joins CJK parts family first, and takes the missing part from the right end', () => {
    expect(normalizeNames({ first_name: '太郎', last_name: '山田' })).toEqual({
      first_name: '太郎',
      last_name: '山田',
      full_name: '山田 太郎',
      original: {},
    });
    expect(normalizeNames({ last_name: '山田', full_name: '山田 太郎' })).toMatchObject({
      first_name: '太郎',
      last_name: '山田',
    });
    expect(normalizeNames({ first_name: '太郎', full_name: '山田 太郎' })).toMatchObject({
      first_name: '太郎',
      last_name: '山田',
    });
  });

  it('keeps Latin order for parts in mixed scripts', () => {
    expect(normalizeNames({ first_name: 'Taro', last_name: '山田' }).full_name).toBe('Taro 山田');
  });
});

describe('honorifics', () => {
  it('drops stacked honorifics when splitting, and keeps them in the full name', () => {
    expect(normalizeNames({ full_name: 'Prof. Dr. Anna Schmidt' })).toEqual({
      first_name: 'Anna',
      last_name: 'Schmidt',
      full_name: 'Prof. Dr. Anna Schmidt',
      original: {},
    });
  });

  it('reads a single word after an honorific as the family name', () => {
    expect(normalizeNames({ full_name: 'mr smith' })).toEqual({
      last_name: 'Smith',
      full_name: 'Mr Smith',
      original: { full_name: 'mr smith' },
    });
  });

  it('drops honorifics typed into the first or last name field', () => {
    expect(normalizeNames({ first_name: 'Dr Anna' })).toEqual({
      first_name: 'Anna',
      full_name: 'Anna',
      original: { first_name: 'Dr Anna' },
    });
    expect(normalizeNames({ first_name: 'Prof. Dr. Anna', last_name: 'Mr. Schmidt' })).toMatchObject({
      first_name: 'Anna',
      last_name: 'Schmidt',
      full_name: 'Anna Schmidt',
    });
  });

  it('gives no name for an honorific alone, keeping it in original', () => {
    expect(normalizeNames({ full_name: 'Mrs.' })).toEqual({ original: { full_name: 'Mrs.' } });
    expect(normalizeNames({ first_name: 'Mr', last_name: 'Smith' })).toEqual({
      last_name: 'Smith',
      full_name: 'Smith',
      original: { first_name: 'Mr' },
    });
  });

  it('takes the missing part from a full name that starts with an honorific', () => {
    expect(normalizeNames({ first_name: 'Jane', full_name: 'Dr. Jane Smith' })).toMatchObject({
      first_name: 'Jane',
      last_name: 'Smith',
      full_name: 'Dr. Jane Smith',
    });
    expect(normalizeNames({ last_name: 'Smith', full_name: 'Mr Smith' })).toEqual({
      last_name: 'Smith',
      full_name: 'Mr Smith',
      original: {},
    });
  });
});

describe('placeholder names', () => {
  it.each([
    'N/A',
    'n/a',
    'none',
    'null',
    'undefined',
    '-',
    '--',
    '.',
    'test',
    'asdf',
    'xxx',
    'unknown',
    'no',
  ])('treats %j as no name, keeping it in original', (raw) => {
    expect(normalizeNames({ first_name: raw, last_name: raw, full_name: raw })).toEqual({
      original: { first_name: raw, last_name: raw, full_name: raw },
    });
  });

  it('drops only the part that is a placeholder', () => {
    expect(normalizeNames({ first_name: 'Jane', last_name: 'N / A' })).toEqual({
      first_name: 'Jane',
      full_name: 'Jane',
      original: { last_name: 'N / A' },
    });
    expect(normalizeNames({ full_name: 'Jane N/A' })).toMatchObject({
      first_name: 'Jane',
      full_name: 'Jane N/A',
    });
    expect(normalizeNames({ full_name: 'Jane N/A' }).last_name).toBeUndefined();
  });
});

describe('name rule', () => {
  it('splits a full name, fixes its casing and rebuilds it from the parts', () => {
    expect(normalizeNames({ full_name: '  JOHN   O’NEIL ' })).toEqual({
      first_name: 'John',
      last_name: "O'Neil",
      full_name: "John O'Neil",
      original: { full_name: '  JOHN   O’NEIL ' },
    });
  });

  it('keeps a single-word name as a given name with no family name', () => {
    expect(normalizeNames({ full_name: 'Cher' })).toEqual({
      first_name: 'Cher',
      full_name: 'Cher',
      original: {},
    });
  });

  it('reorders "Family, Given" and keeps what it received', () => {
    expect(normalizeNames({ full_name: 'Smith, John' })).toEqual({
      first_name: 'John',
      last_name: 'Smith',
      full_name: 'John Smith',
      original: { full_name: 'Smith, John' },
    });
  });

  it('builds the full name from the parts when it is missing', () => {
    expect(normalizeNames({ first_name: 'ANNA', last_name: 'SCHMIDT' })).toMatchObject({
      first_name: 'Anna',
      last_name: 'Schmidt',
      full_name: 'Anna Schmidt',
      original: { first_name: 'ANNA', last_name: 'SCHMIDT' },
    });
  });

  it('takes the missing part from the full name', () => {
    expect(normalizeNames({ first_name: 'Jane', full_name: 'Jane van Dijk' })).toMatchObject({
      first_name: 'Jane',
      last_name: 'van Dijk',
      full_name: 'Jane van Dijk',
    });
    expect(normalizeNames({ last_name: 'Smith', full_name: 'Mary Ann Smith' })).toMatchObject({
      first_name: 'Mary Ann',
      last_name: 'Smith',
    });
  });

  it('strips emoji and collapses the spaces they leave', () => {
    expect(normalizeNames({ first_name: ' Jane 🌸', last_name: '👩🏽‍💻Doe' })).toMatchObject({
      first_name: 'Jane',
      last_name: 'Doe',
      full_name: 'Jane Doe',
    });
  });

  it('keeps a name made only of emoji in original rather than dropping it silently', () => {
    expect(normalizeNames({ first_name: '🚀🚀' })).toEqual({ original: { first_name: '🚀🚀' } });
  });

  it('keeps a full name that says more than its parts', () => {
    expect(
      normalizeNames({ first_name: 'Jane', last_name: 'Smith', full_name: 'Dr. Jane Smith' }),
    ).toMatchObject({
      full_name: 'Dr. Jane Smith',
    });
  });
});

describe('placeholders that are names too', () => {
  it('keeps the family names Na and No, which are also placeholders elsewhere', () => {
    expect(normalizeNames({ first_name: 'Ji-woo', last_name: 'Na' })).toMatchObject({
      first_name: 'Ji-woo',
      last_name: 'Na',
    });
    expect(normalizeNames({ first_name: 'Min', last_name: 'No' })).toMatchObject({ last_name: 'No' });
    expect(normalizeNames({ first_name: 'N/A', last_name: 'none' })).not.toHaveProperty('last_name');
    // On its own, or as a whole name, it is the placeholder still.
    expect(normalizeNames({ last_name: 'No' })).not.toHaveProperty('last_name');
    expect(normalizeNames({ full_name: 'NA' })).not.toHaveProperty('full_name');
  });
});

describe('a second pass finds the same parts', () => {
  it('a full name whose first word is a placeholder (found by the idempotence property)', () => {
    const once = normalizeNames({ full_name: 'no Prof. or ' });
    expect(once).toMatchObject({ last_name: 'Or' });
    expect(once).not.toHaveProperty('first_name');
    const { original: _original, ...parts } = once;
    const again = normalizeNames(parts);
    expect(again.first_name).toBeUndefined();
    expect(again.last_name).toBe('Or');
  });

  it('a full name ending in Na or No after a first name (found by the idempotence property)', () => {
    const once = normalizeNames({ full_name: 'JOHN NA' });
    expect(once).toMatchObject({ first_name: 'John', last_name: 'Na', full_name: 'John Na' });
    const { original: _original, ...parts } = once;
    expect(normalizeNames(parts)).toMatchObject(parts);
  });
});
