import { describe, expect, it } from 'vitest';
import { type NamePart, normalizeNames, recaseName, splitFullName } from '../../../src/leads/normalize/name';

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
    ['Cher', { first_name: 'Cher', inverted: false }],
  ])('splits %j', (full, expected) => {
    expect(splitFullName(full)).toEqual(expected);
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
