/**
 * Text hygiene shared by every rule. Each step maps its own output to itself, which is what makes
 * normalising a normalised lead a no-op.
 */

// Control, format (zero-width, bidi overrides, tags), private-use and lone surrogate code points:
// invisible in a CRM, and a lone surrogate is not even valid UTF-8. Unassigned code points are
// kept: which ones are unassigned depends on the runtime's Unicode version, and the rules must give
// the same answer in Node and in workerd.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;

// Pictographs with their skin-tone modifiers, flags, keycap and presentation selectors.
// An alternation, not a class: the keycap and selectors are combining characters on their own.
const EMOJI = /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u20e3|\ufe0e|\ufe0f/gu;

/** Space to tilde: text that every Unicode step below leaves as it is (its own NFC and NFKC). */
export const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export interface CleanOptions {
  /** Replace emoji with a space (names, companies, places); kept elsewhere (UTM values, forms). */
  stripEmoji?: boolean;
}

/**
 * Whitespace of any kind becomes one space, invisible characters go, the result is NFC (so "José"
 * typed as e + combining accent equals the precomposed one) and trimmed. Empty becomes undefined.
 */
export function cleanText(raw: string | undefined, options: CleanOptions = {}): string | undefined {
  if (raw === undefined) return undefined;
  // Printable ASCII holds no whitespace but the space, nothing invisible and no emoji: the same
  // answer as below, without five Unicode regexes and a normalisation.
  if (PRINTABLE_ASCII.test(raw)) {
    const text = raw.replace(/ {2,}/g, ' ').trim();
    return text === '' ? undefined : text;
  }
  // Whitespace first: a tab or newline is a word break, not an invisible character to delete.
  let text = raw.replace(/\s/gu, ' ').replace(INVISIBLE, '');
  if (options.stripEmoji) text = text.replace(EMOJI, ' ');
  // NFC after the removals: deleting a character can bring a base and a combining mark together.
  text = text.normalize('NFC').replace(/\s+/gu, ' ').trim();
  return text === '' ? undefined : text;
}

// Values people type when a form insists on an answer they do not have or will not give. Compared
// after NFKC, lowercasing and removing every space, so "N / A", "NONE" and full-width "ｎ／ａ" match.
const PLACEHOLDERS = new Set(['n/a', 'na', 'none', 'null', 'undefined', 'test', 'asdf', 'unknown', 'no']);
// Dashes and dots only ("-", "--", ".", "..."), or "xxx" and longer runs of x.
const PLACEHOLDER_SHAPE = /^(?:[-.]+|x{3,})$/;
// Longer than any placeholder, even padded with spaces: skipped without normalising a long field.
const PLACEHOLDER_MAX_LENGTH = 40;

/**
 * Whether a cleaned value is a placeholder for "nothing" (`N/A`, `none`, `-`, `test`, ...), which
 * every rule treats as an absent value. `extra` adds field-specific ones (`0` for a phone), in the
 * same folded form.
 */
export function isPlaceholder(
  text: string,
  extra: readonly string[] = [],
  options: { name?: boolean } = {},
): boolean {
  if (text.length > PLACEHOLDER_MAX_LENGTH) return false;
  const key = (PRINTABLE_ASCII.test(text) ? text : text.normalize('NFKC')).toLowerCase().replace(/\s/gu, '');
  if (options.name && NAMES_TOO.has(key)) return false;
  return PLACEHOLDERS.has(key) || PLACEHOLDER_SHAPE.test(key) || extra.includes(key);
}

// Placeholders that are also people's names (the Korean family names Na and No): kept in names.
const NAMES_TOO = new Set(['na', 'no']);

/** `cleanText`, and a placeholder is no value: for fields that keep no `original`. */
export function cleanField(raw: string | undefined, options: CleanOptions = {}): string | undefined {
  const text = cleanText(raw, options);
  return text === undefined || isPlaceholder(text) ? undefined : text;
}

/**
 * The text without the characters `drop` holds at its end. A loop, not a `[...]+$` regex, which
 * backtracks quadratically over a long run of those characters followed by another one.
 */
export function trimEndOf(text: string, drop: string): string {
  let end = text.length;
  while (end > 0 && drop.includes(text.charAt(end - 1))) end--;
  return text.slice(0, end);
}

/** Curly quotes and primes become an apostrophe, dashes a hyphen-minus: one spelling per sign. */
export function plainPunctuation(text: string): string {
  return text.replace(/[\u2018\u2019\u02bc\u2032`´]/gu, "'").replace(/\p{Pd}/gu, '-');
}

/**
 * The raw value, kept for `original`, when a rule changed or rejected it. Whitespace at the ends is
 * not worth recording; everything else is.
 */
export function changedFrom(raw: string | undefined, output: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.trim() === (output ?? '') ? undefined : raw;
}

/** Drops undefined properties, which `exactOptionalPropertyTypes` will not let an optional field hold. */
export function definedOnly<T extends Record<string, unknown>>(
  record: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
