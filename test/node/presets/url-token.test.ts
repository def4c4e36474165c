import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { jotformPreset } from '../../../src/sources/presets/jotform';
import { INGEST_URL, inbound } from './sign';
import { tokenSchemeCases } from './suite';

const SECRET = 'jotform-dev-url-token-0123456789';
const ROTATED = 'jotform-dev-url-token-rotated-98';
const withToken = (token: string, param = 'token') =>
  inbound({ url: `${INGEST_URL}?${param}=${encodeURIComponent(token)}` });

for (const name of ['jotform', 'url-token'] as const) {
  describe(`${name} preset (token in the URL)`, () => {
    tokenSchemeCases({
      preset: presets[name],
      present: (token) => withToken(token),
      secret: SECRET,
      rotatedSecret: ROTATED,
      missing: [inbound({}), withToken(SECRET, 'key'), withToken('')],
      // A repeated parameter is refused whichever copy is right.
      malformed: [
        inbound({ url: `${INGEST_URL}?token=${SECRET}&token=wrong` }),
        inbound({ url: `${INGEST_URL}?token=wrong&token=${SECRET}` }),
        inbound({ url: `${INGEST_URL}?token=${SECRET}&token=${SECRET}` }),
      ],
    });
  });
}

describe('url token with a parameter of the source’s choosing', () => {
  tokenSchemeCases({
    preset: jotformPreset({ param: 'key' }),
    present: (token) => withToken(token, 'key'),
    secret: SECRET,
    rotatedSecret: ROTATED,
    missing: [withToken(SECRET)],
    malformed: [],
  });
});

describe('jotform preset', () => {
  it('keys on the submission id', () => {
    const payload = { formID: '241234567890123', submissionID: '5912345678901234567', rawRequest: '{}' };
    expect(presets.jotform.idempotencyKey?.(inbound({}), payload)).toBe('5912345678901234567');
  });
});
