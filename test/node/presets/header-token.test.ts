import { describe } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { headerTokenPreset } from '../../../src/sources/presets/header-token';
import { inbound } from './sign';
import { tokenSchemeCases } from './suite';

const SECRET = 'zapier-dev-token-0123456789abcdef';
const ROTATED = 'zapier-dev-token-rotated-fedcba98';

for (const name of ['zapier', 'bearer'] as const) {
  describe(`${name} preset (Authorization: Bearer)`, () => {
    tokenSchemeCases({
      preset: presets[name],
      present: (token) => inbound({ headers: { authorization: `Bearer ${token}` } }),
      secret: SECRET,
      rotatedSecret: ROTATED,
      missing: [inbound({}), inbound({ headers: { 'x-inlet-token': SECRET } })],
      malformed: [
        inbound({ headers: { authorization: SECRET } }),
        inbound({ headers: { authorization: `Basic ${SECRET}` } }),
        inbound({ headers: { authorization: `Bearer ${SECRET} ${SECRET}` } }),
      ],
    });
  });
}

describe('header-token preset (bare token, x-inlet-token)', () => {
  tokenSchemeCases({
    preset: presets['header-token'],
    present: (token) => inbound({ headers: { 'x-inlet-token': token } }),
    secret: SECRET,
    rotatedSecret: ROTATED,
    missing: [inbound({}), inbound({ headers: { authorization: `Bearer ${SECRET}` } })],
    malformed: [],
  });
});

describe('header-token preset with a header of the source’s choosing', () => {
  tokenSchemeCases({
    preset: headerTokenPreset({ header: 'X-Make-Secret' }),
    present: (token) => inbound({ headers: { 'x-make-secret': token } }),
    secret: SECRET,
    rotatedSecret: ROTATED,
    missing: [inbound({ headers: { 'x-inlet-token': SECRET } })],
    malformed: [],
  });
});
