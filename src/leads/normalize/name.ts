/**
 * Name rule: clean each part, drop honorifics and placeholders, split a full name when the parts are
 * missing, and fix the casing of a name typed in ALL CAPS or all lowercase. A name in mixed case is
 * the person's own spelling (McDonald, DeShawn, van der Berg) and is left alone.
 *
 * A name written in CJK scripts (Han, Hiragana, Katakana, Hangul) puts the family name first:
 * "山田 太郎" is family 山田, given 太郎, and parts in those scripts are joined family first. Written
 * without a space ("王小明") it is not split: where one name ends and the other begins cannot be told
 * from the text, so it stays whole in `full_name`.
 */
import type { Original } from '../lead';
import { changedFrom, cleanText, definedOnly, isPlaceholder, plainPunctuation } from './text';

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
// ASCII case-insensitive only (no `u` flag): "ſ" must not read as "s".
const HONORIFIC = /^(?:mr|mrs|ms|miss|mx|dr|prof)\.?$/i;
// A word in the scripts that write the family name first. Script_Extensions, so the marks used
// inside such names (々, ー, ・) count as part of them.
const CJK_WORD = /^[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]+$/u;

/** Text hygiene, emoji removed, one apostrophe and one hyphen: before any splitting or casing. */
export function cleanName(raw: string | undefined): string | undefined {
  const text = cleanText(raw, { stripEmoji: true });
  return text === undefined ? undefined : plainPunctuation(text);
}

function sameText(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The words after any leading honorifics, stacked or not: "Prof. Dr. Anna Schmidt" → Anna Schmidt. */
function withoutHonorifics(words: readonly string[]): string[] {
  let start = 0;
  while (start < words.length && HONORIFIC.test(words[start] ?? '')) start++;
  return words.slice(start);
}

/**
 * A first or last name without leading honorifics; nothing when only they or a placeholder remain.
 * `family`: a last name given beside a real first name, where "Na" and "No" are the Korean family
 * names, not the placeholders they are on their own.
 */
function namePart(text: string | undefined, family = false): string | undefined {
  if (text === undefined) return undefined;
  const bare = withoutHonorifics(text.split(' ')).join(' ');
  return bare === '' || isPlaceholder(bare, [], { name: family }) ? undefined : bare;
}

/** Whether every word of a name is in a family-name-first script. */
export function isCjkName(text: string): boolean {
  return text.split(' ').every((word) => CJK_WORD.test(word));
}

/** "Jane" and "Jane Smith" → "Smith": the rest of `text` after the word(s) `part`, if it starts so. */
function after(text: string, part: string): string | undefined {
  return sameText(text.slice(0, part.length + 1), `${part} `)
    ? cleanText(text.slice(part.length + 1))
    : undefined;
}

/** "Smith" and "Jane Smith" → "Jane": what `text` has before the word(s) `part`, if it ends so. */
function before(text: string, part: string): string | undefined {
  return sameText(text.slice(-part.length - 1), ` ${part}`)
    ? cleanText(text.slice(0, -part.length - 1))
    : undefined;
}

function joinName(first: string | undefined, last: string | undefined): string | undefined {
  if (first !== undefined && last !== undefined && isCjkName(first) && isCjkName(last))
    return `${last} ${first}`;
  return [first, last].filter((part) => part !== undefined).join(' ') || undefined;
}

export function normalizeNames(input: NameInput): NameResult {
  const given = namePart(cleanName(input.first_name));
  const family = namePart(cleanName(input.last_name), given !== undefined);
  const fullText = cleanName(input.full_name);
  // Honorifics stay in a full name ("Dr. Jane Smith"), but a full name of only honorifics or a
  // placeholder is no name.
  const full = fullText === undefined || namePart(fullText) === undefined ? undefined : fullText;

  let first = given;
  let last = family;
  let rebuildFull = false;
  if (full !== undefined && first === undefined && last === undefined) {
    const split = splitFullName(full);
    first = namePart(split.first_name);
    // Beside a real first name "Na" and "No" are family names, as when the parts come separately.
    last = namePart(split.last_name, first !== undefined);
    // "Smith, John" is a sorting form, not how the person writes their name.
    rebuildFull = split.inverted;
  } else if (full !== undefined && (first === undefined) !== (last === undefined)) {
    // One part given, the full name holding both: take the other part from it. When the full
    // name splits into the given part and another, that split decides, as it did when the parts
    // were first taken from the full name alone (so a second pass finds the same parts).
    const split = splitFullName(full);
    const splitFirst = namePart(split.first_name);
    const splitLast = namePart(split.last_name, splitFirst !== undefined);
    const bare = withoutHonorifics(full.split(' ')).join(' ');
    const familyFirst = isCjkName(bare);
    if (first !== undefined) {
      last =
        splitFirst !== undefined && sameText(splitFirst, first)
          ? splitLast
          : namePart(familyFirst ? before(bare, first) : after(bare, first));
    } else if (last !== undefined) {
      first =
        splitLast !== undefined && sameText(splitLast, last)
          ? splitFirst
          : namePart(familyFirst ? after(bare, last) : before(bare, last));
    }
  }

  const firstOut = first === undefined ? undefined : recaseName(first, 'given');
  const lastOut = last === undefined ? undefined : recaseName(last, 'family');
  const joined = joinName(firstOut, lastOut);
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
 * "van Beethoven"); "Smith, John" is read as family, given. Leading honorifics, stacked or not, are
 * skipped; a single word after one is the family name ("Mr Smith"), a single word alone a given
 * name ("Cher"). A name in CJK scripts is family first when it has two words, and not split when it
 * has one or more than two, or mixes scripts: when unsure, the name stays whole.
 */
export function splitFullName(full: string): { first_name?: string; last_name?: string; inverted: boolean } {
  const commaParts = full.split(',').map((part) => part.trim());
  const [family, given] = commaParts;
  if (commaParts.length === 2 && family && given && !NAME_SUFFIX.test(given)) {
    const bareGiven = withoutHonorifics(given.split(' ')).join(' ');
    if (bareGiven) return { first_name: bareGiven, last_name: family, inverted: true };
  }
  const all = full.split(' ');
  const words = withoutHonorifics(all);
  if (words.some((word) => CJK_WORD.test(word))) {
    const [familyName, givenName, ...more] = words;
    return familyName && givenName && more.length === 0 && isCjkName(`${familyName} ${givenName}`)
      ? { first_name: givenName, last_name: familyName, inverted: false }
      : { inverted: false };
  }
  const [first, ...rest] = words;
  if (first === undefined) return { inverted: false };
  if (rest.length === 0) {
    return words.length < all.length
      ? { last_name: first, inverted: false }
      : { first_name: first, inverted: false };
  }
  return { first_name: first, last_name: rest.join(' '), inverted: false };
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
  // O'Neil, D'Angelo, L'Écuyer: a single letter before the apostrophe is an elided article, and
  // what follows is cased the same way. A loop over an index, not recursion: "o'o'o'…" typed
  // 50,000 times would overflow the stack, and re-slicing the rest each time is quadratic.
  let elided = '';
  let start = 0;
  for (;;) {
    const letter = String.fromCodePoint(segment.codePointAt(start) ?? 0x20);
    const apostrophe = start + letter.length;
    if (!/^\p{L}$/u.test(letter) || segment[apostrophe] !== "'" || apostrophe + 1 >= segment.length) break;
    elided += `${upperChar(letter)}'`;
    start = apostrophe + 1;
  }
  const rest = segment.slice(start);
  // McDonald, McKenzie. "Mac" is not handled: Mack, Macy and Machado are not MacDonalds.
  if (/^mc\p{L}{2,}/u.test(rest)) return `${elided}Mc${upperFirst(rest.slice(2))}`;
  return elided + upperFirst(rest);
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
