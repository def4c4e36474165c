// The rules take a shortcut for printable ASCII (most leads): the same answer without the Unicode
// regexes and normalisations. Each shortcut is held to the full path here, by feeding the same
// text with a character the full path removes (a zero-width space, a combining mark), which sends
// it down the full path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldKey } from '../../../src/leads/mappings/fields';
import { slug } from '../../../src/leads/normalize/campaign';
import { cleanText, isPlaceholder } from '../../../src/leads/normalize/text';

const ascii = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
// Placeholders and their near misses, which random text would rarely reach.
const words = fc.constantFrom(
  'n/a',
  'N / A',
  'none',
  ' NULL ',
  'na',
  'No',
  '-',
  '...',
  'xxx',
  'Ada',
  'test ',
  '  ',
);
const text = fc.oneof(
  ascii,
  words,
  fc.array(words, { maxLength: 4 }).map((w) => w.join(' ')),
);

describe('the printable-ASCII shortcuts answer what the full path answers', () => {
  it('cleanText', () => {
    fc.assert(
      fc.property(text, fc.boolean(), (s, stripEmoji) => {
        expect(cleanText(s, { stripEmoji })).toBe(cleanText(`${s}\u200b`, { stripEmoji }));
      }),
      { numRuns: 5000 },
    );
  });

  it('fieldKey and slug', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(fieldKey(s)).toBe(fieldKey(`${s}\u0301`));
        expect(slug(s)).toBe(slug(`${s}\u0301`));
      }),
      { numRuns: 5000 },
    );
  });

  it('isPlaceholder', () => {
    fc.assert(
      // Under 40 characters: longer text is never a placeholder, and the copy is one longer.
      fc.property(
        text.filter((s) => s.length < 40),
        fc.boolean(),
        (s, name) => {
          // NFKC leaves printable ASCII as it is, so the shortcut may skip it: compare with a copy
          // that is not ASCII only by an ideographic space, which NFKC folds to a space, then removed.
          expect(isPlaceholder(s, [], { name })).toBe(isPlaceholder(`${s}\u3000`, [], { name }));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
