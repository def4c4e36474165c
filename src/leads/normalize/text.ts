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
  // Whitespace first: a tab or newline is a word break, not an invisible character to delete.
  let text = raw.replace(/\s/gu, ' ').replace(INVISIBLE, '');
  if (options.stripEmoji) text = text.replace(EMOJI, ' ');
  // NFC after the removals: deleting a character can bring a base and a combining mark together.
  text = text.normalize('NFC').replace(/\s+/gu, ' ').trim();
  return text === '' ? undefined : text;
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
