import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { inbound } from './sign';
import { tokenSchemeCases } from './suite';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
const BODY = JSON.stringify({
  meta: { action: 'create', entity: 'person', id: '0c2b6c0e-3b1d-4b5a-9d3f-2f1e0a9b8c7d', version: '2.0' },
  data: { id: 42, name: 'Ada Lovelace', emails: [{ value: 'ada@example.com', primary: true }] },
});

for (const name of ['pipedrive', 'basic-auth'] as const) {
  describe(`${name} preset (HTTP Basic)`, () => {
    tokenSchemeCases({
      preset: presets[name],
      present: (credentials) => inbound({ headers: { authorization: basic(credentials) }, body: BODY }),
      secret: 'inlet:pipedrive-dev-password',
      rotatedSecret: 'inlet:pipedrive-new-password',
      wrongSecret: 'inlet:guessed-password',
      missing: [inbound({ body: BODY }), inbound({ headers: { authorization: '  ' }, body: BODY })],
      malformed: [
        inbound({ headers: { authorization: 'Bearer inlet:pipedrive-dev-password' } }),
        inbound({ headers: { authorization: 'Basic ***' } }),
        inbound({ headers: { authorization: basic('no-colon-here') } }),
        inbound({ headers: { authorization: `${basic('inlet:pipedrive-dev-password')} extra` } }),
      ],
    });
  });
}

describe('pipedrive preset', () => {
  it('keys on the v2 event id, and on nothing for v1 payloads', () => {
    expect(presets.pipedrive.idempotencyKey?.(inbound({}), JSON.parse(BODY))).toBe(
      '0c2b6c0e-3b1d-4b5a-9d3f-2f1e0a9b8c7d',
    );
    expect(
      presets.pipedrive.idempotencyKey?.(inbound({}), { meta: { v: 1, id: 42, object: 'person' } }),
    ).toBe(undefined);
  });
});
