import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { inbound, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
const BODY = JSON.stringify({ action: 'opened', issue: { number: 1347, user: { login: 'octocat' } } });

const sign = async ({ secret, body, mangle = (s) => s }: SignInput) => {
  const signature = await octokitSign(secret, body);
  return inbound({
    headers: { 'x-hub-signature-256': `sha256=${mangle(signature.slice(7))}`, 'x-github-delivery': DELIVERY },
    body,
  });
};

describe('github preset', () => {
  it("matches GitHub's documented test vector", async () => {
    const request = inbound({
      headers: {
        'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
        'x-github-delivery': DELIVERY,
      },
      body: 'Hello, World!',
    });
    expect(await verify(presets.github, request, ["It's a Secret to Everybody"])).toMatchObject({
      ok: true,
      deliveryId: DELIVERY,
    });
  });

  it('agrees with the octokit verifier', async () => {
    const request = await sign({ secret: 'octo-secret', body: BODY, timestampMs: 0 });
    const header = request.headers.get('x-hub-signature-256') ?? '';
    expect(await octokitVerify('octo-secret', BODY, header)).toBe(true);
    expect((await verify(presets.github, request, ['octo-secret'])).ok).toBe(true);
  });

  signedSchemeCases({
    preset: presets.github,
    sign,
    secret: 'github-webhook-secret',
    rotatedSecret: 'github-webhook-secret-rotated',
    body: BODY,
    tamperedBody: BODY.replace('1347', '1348'),
    requiredHeaders: ['x-hub-signature-256'],
    encoding: 'hex',
    deliveryId: DELIVERY,
  });
});
