/**
 * Name rule: clean each part, split a full name when the parts are missing, and fix the casing of a
 * name typed in ALL CAPS or all lowercase. A name in mixed case is the person's own spelling
 * (McDonald, DeShawn, van der Berg) and is left alone.
 */
import type { Original } from '../lead';
import { changedFrom, cleanText, definedOnly, plainPunctuation } from './text';

export interface NameInput {
  first_name?: string | undefined;
  last_name?: string | undefined;
  full_name?: string | undefined;
}

export interface NameResult {
  first_name?: string;
  last_name?: string;
  full_name?: string;
  original: Pick<Original, 'first_name' | 'last_name' | 'full_name'>;
}

/** Which part of a name a string is: decides how its particles and first word are cased. */
export type NamePart = 'given' | 'family' | 'full';

// Lowercase inside a name ("Ludwig van Beethoven", "de la Cruz"), capitalised when they stand
// alone. Kept short on purpose: every entry is a word someone's given name could also be.
const PARTICLES = new Set(
  'van von der den de del della di da das dos du la las le los ten ter zu bin ibn'.split(' '),
);
const ROMAN_SUFFIX = /^(?:ii|iii|iv|vi|vii|viii|ix)$/;
const NAME_SUFFIX = /^(?:jr|sr|ii|iii|iv|phd|md|esq|mba)\.?$/i;
const HONORIFIC = /^(?:mr|mrs|ms|miss|mx|dr|prof)\.?$/i;

/** Text hygiene, emoji removed, one apostrophe and one hyphen: before any splitting or casing. */
export function cleanName(raw: string | undefined): string | undefined {
  const text = cleanText(raw, { stripEmoji: true });
  return text === undefined ? undefined : plainPunctuation(text);
}

function sameText(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function normalizeNames(input: NameInput): NameResult {
  const given = cleanName(input.first_name);
  const family = cleanName(input.last_name);
  const full = cleanName(input.full_name);

  let first = given;
  let last = family;
  let rebuildFull = false;
  if (full !== undefined && first === undefined && last === undefined) {
    const split = splitFullName(full);
    first = split.first_name;
    last = split.last_name;
    // "Smith, John" is a sorting form, not how the person writes their name.
    rebuildFull = split.inverted;
  } else if (full !== undefined) {
    // One part given, the full name holding both: take the other part from it.
    if (first !== undefined && last === undefined && sameText(full.slice(0, first.length + 1), `${first} `)) {
      last = cleanText(full.slice(first.length + 1));
    } else if (
      last !== undefined &&
      first === undefined &&
      sameText(full.slice(-last.length - 1), ` ${last}`)
    ) {
      first = cleanText(full.slice(0, -last.length - 1));
    }
  }

  const firstOut = first === undefined ? undefined : recaseName(first, 'given');
  const lastOut = last === undefined ? undefined : recaseName(last, 'family');
  const joined = [firstOut, lastOut].filter((part) => part !== undefined).join(' ') || undefined;
  // A full name that says the same as its parts is rebuilt from them, so the three always agree
  // and a second pass has nothing left to decide.
  const sameAsParts = full !== undefined && joined !== undefined && sameText(full, joined);
  const fullOut = full === undefined || rebuildFull || sameAsParts ? joined : recaseName(full, 'full');

  return {
    ...definedOnly({ first_name: firstOut, last_name: lastOut, full_name: fullOut }),
    original: definedOnly({
      first_name: changedFrom(input.first_name, firstOut),
      last_name: changedFrom(input.last_name, lastOut),
      full_name: changedFrom(input.full_name, fullOut),
    }),
  };
}

/**
 * First word the given name, the rest the family name ("Ludwig van Beethoven" → "Ludwig",
 * "van Beethoven"); "Smith, John" is read as family, given. A leading honorific is skipped when
 * two words remain. A single word is a given name with no family name.
 */
export function splitFullName(full: string): { first_name?: string; last_name?: string; inverted: boolean } {
  const commaParts = full.split(',').map((part) => part.trim());
  const [family, given] = commaParts;
  if (commaParts.length === 2 && family && given && !NAME_SUFFIX.test(given)) {
    return { first_name: given, last_name: family, inverted: true };
  }
  let words = full.split(' ');
  if (words.length > 2 && HONORIFIC.test(words[0] ?? '')) words = words.slice(1);
  const [first, ...rest] = words;
  return rest.length === 0
    ? { ...definedOnly({ first_name: first }), inverted: false }
    : { ...definedOnly({ first_name: first }), last_name: rest.join(' '), inverted: false };
}

/** Fixes the casing of an all-caps or all-lowercase name; returns any other name unchanged. */
export function recaseName(name: string, part: NamePart): string {
  if (!isSingleCase(name)) return name;
  const recased = titleCase(name, part);
  // Only a fixed point is returned: if casing the result again would change it (a name of
  // particles only, a letter whose case mapping does not round-trip), the name is left as typed.
  return !isSingleCase(recased) || titleCase(recased, part) === recased ? recased : name;
}

function isSingleCase(text: string): boolean {
  const lower = text.toLowerCase();
  const upper = text.toUpperCase();
  return lower !== upper && (text === lower || text === upper);
}

function titleCase(name: string, part: NamePart): string {
  const words = name.toLowerCase().split(' ');
  const cased = words
    .map((word, index) => {
      const isParticle = PARTICLES.has(word) && words.length > 1;
      if (isParticle && (index > 0 || part === 'family')) return word;
      if (index > 0 && index === words.length - 1 && ROMAN_SUFFIX.test(word)) return upperEach(word);
      return word.split('-').map(capitaliseSegment).join('-');
    })
    .join(' ');
  // Case mappings can leave a decomposed pair ("İ" lowercases to i + combining dot): recompose.
  return cased.normalize('NFC');
}

function capitaliseSegment(segment: string): string {
  // O'Neil, D'Angelo, L'Écuyer: a single letter before the apostrophe is an elided article.
  const elided = /^(\p{L})'(.+)$/u.exec(segment);
  if (elided) return `${upperFirst(elided[1] ?? '')}'${capitaliseSegment(elided[2] ?? '')}`;
  // McDonald, McKenzie. "Mac" is not handled: Mack, Macy and Machado are not MacDonalds.
  if (/^mc\p{L}{2,}/u.test(segment)) return `Mc${upperFirst(segment.slice(2))}`;
  return upperFirst(segment);
}

function upperFirst(text: string): string {
  const chars = Array.from(text);
  const index = chars.findIndex((char) => /\p{L}/u.test(char));
  const char = chars[index];
  if (char === undefined) return text;
  chars[index] = upperChar(char);
  return chars.join('');
}

function upperEach(text: string): string {
  return Array.from(text, upperChar).join('');
}

// Only case mappings that round-trip: "ß" uppercases to "SS", which would lengthen the name and
// lowercase to something else.
function upperChar(char: string): string {
  const upper = char.toUpperCase();
  return upper.length === char.length && upper.toLowerCase() === char ? upper : char;
}
