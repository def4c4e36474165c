/**
 * Campaign rule: one tag per attribution value, `key:slug`, so a CRM can segment on
 * `utm_source:google` or `form:contact-us` without parsing anything. Sorted and deduplicated so
 * the same lead always carries the same list.
 */
import { cleanText, PRINTABLE_ASCII } from './text';

export interface Attribution {
  source?: string | undefined;
  form?: string | undefined;
  campaign?: string | undefined;
  utm_source?: string | undefined;
  utm_medium?: string | undefined;
  utm_campaign?: string | undefined;
  utm_term?: string | undefined;
  utm_content?: string | undefined;
}

const TAGGED = [
  'source',
  'form',
  'campaign',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
] as const satisfies readonly (keyof Attribution)[];

/**
 * Lowercase, accents dropped, every run of anything but letters and digits one hyphen:
 * "Spring Sale — 2026 (EU)" → "spring-sale-2026-eu". Letters of any script survive, so a form
 * named in Japanese still gets a tag.
 */
export function slug(value: string): string {
  // Printable ASCII is its own NFKD and NFC, holds no mark, and its letters and digits are a-z, 0-9.
  if (PRINTABLE_ASCII.test(value))
    return value
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  return (
    value
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      // Back to composed form: NFKD splits Hangul syllables into jamo, which are letters and stay.
      .normalize('NFC')
  );
}

/** Tags from the attribution values, merged with tags a lead already carries. */
export function campaignTags(attribution: Attribution, carried: readonly string[] = []): string[] {
  const tags = new Set<string>();
  for (const key of TAGGED) {
    const value = attribution[key];
    const valueSlug = value === undefined ? '' : slug(value);
    if (valueSlug) tags.add(`${key}:${valueSlug}`);
  }
  for (const tag of carried) {
    const clean = cleanText(tag);
    if (clean) tags.add(clean);
  }
  // Code-unit order: the same in every runtime, unlike a locale-aware comparison.
  return [...tags].sort();
}
