import { describe, expect, it } from 'vitest';
import type { HashAlgorithm } from '../../../src/verify/crypto';
import { type GenericHmacOptions, genericHmac } from '../../../src/verify/generic-hmac';
import { hmacBase64, hmacHex, inbound, NOW_MS } from '../presets/sign';

const SECRET = 'generic-hmac-secret';
const BODY = '{"email":"ada@example.com"}';
const TS = String(NOW_MS / 1000);
const ID = 'dlv_01HV8X';
const at = (secrets = [SECRET], nowMs = NOW_MS) => ({ secrets, nowMs });

const base: GenericHmacOptions = {
  header: 'x-signature',
  algorithm: 'SHA-256',
  encoding: 'hex',
  signed: 'body',
};

describe('generic HMAC', () => {
  it.each([
    ['SHA-1', 'hex'],
    ['SHA-1', 'base64'],
    ['SHA-256', 'hex'],
    ['SHA-256', 'base64'],
    ['SHA-512', 'hex'],
    ['SHA-512', 'base64'],
  ] as const)('verifies %s in %s, and refuses the other digests', async (algorithm, encoding) => {
    const verifier = genericHmac({ ...base, algorithm, encoding });
    const sign = encoding === 'hex' ? hmacHex : hmacBase64;
    const good = inbound({ headers: { 'x-signature': await sign(algorithm, SECRET, BODY) }, body: BODY });
    expect(await verifier.verify(good, at())).toEqual({ ok: true });
    for (const other of (['SHA-1', 'SHA-256', 'SHA-512'] as HashAlgorithm[]).filter((a) => a !== algorithm)) {
      const wrong = inbound({ headers: { 'x-signature': await sign(other, SECRET, BODY) }, body: BODY });
      expect(await verifier.verify(wrong, at())).toEqual({ ok: false, reason: 'malformed_signature' });
    }
  });

  it('strips the prefix case-insensitively, and accepts the bare signature too', async () => {
    const verifier = genericHmac({ ...base, prefix: 'sha256=' });
    const signature = await hmacHex('SHA-256', SECRET, BODY);
    for (const header of [`sha256=${signature}`, `SHA256=${signature}`, signature]) {
      expect(
        (await verifier.verify(inbound({ headers: { 'x-signature': header }, body: BODY }), at())).ok,
      ).toBe(true);
    }
  });

  it.each([
    ['timestamp.body', { signed: 'timestamp.body' }, [`${TS}.`, BODY]],
    ['id.timestamp.body', { signed: 'id.timestamp.body' }, [`${ID}.${TS}.`, BODY]],
    [
      'a template with every placeholder',
      { signed: { template: '{method} {url}|{id}|{timestamp}|{body}|end' } },
      [`POST https://inlet.example/in/test|${ID}|${TS}|`, BODY, '|end'],
    ],
  ] as const)('signs %s', async (_name, options, parts) => {
    const verifier = genericHmac({ ...base, ...options, timestampHeader: 'x-ts', idHeader: 'x-id' });
    const headers = { 'x-signature': await hmacHex('SHA-256', SECRET, ...parts), 'x-ts': TS, 'x-id': ID };
    expect(await verifier.verify(inbound({ headers, body: BODY }), at())).toMatchObject({
      ok: true,
      deliveryId: ID,
    });
    const swapped = { ...headers, 'x-id': 'dlv_other' };
    expect((await verifier.verify(inbound({ headers: swapped, body: BODY }), at())).ok).toBe(
      options.signed === 'timestamp.body',
    );
  });

  it('fills placeholders in one pass, so an id that looks like a placeholder stays literal', async () => {
    const verifier = genericHmac({ ...base, signed: { template: '{id}:{body}' }, idHeader: 'x-id' });
    const id = '{url}';
    const headers = { 'x-signature': await hmacHex('SHA-256', SECRET, `${id}:`, BODY), 'x-id': id };
    expect((await verifier.verify(inbound({ headers, body: BODY }), at())).ok).toBe(true);
  });

  it.each([
    ['seconds', 's', NOW_MS / 1000],
    ['milliseconds', 'ms', NOW_MS],
  ] as const)(
    'reads the timestamp in %s, with the tolerance in both directions',
    async (_name, timestampUnit, now) => {
      const verifier = genericHmac({
        ...base,
        signed: 'timestamp.body',
        timestampHeader: 'x-ts',
        timestampUnit,
        toleranceSeconds: 60,
      });
      const step = timestampUnit === 'ms' ? 1000 : 1;
      const request = async (ts: number) =>
        inbound({
          headers: { 'x-signature': await hmacHex('SHA-256', SECRET, `${ts}.`, BODY), 'x-ts': String(ts) },
          body: BODY,
        });
      expect((await verifier.verify(await request(now - 60 * step), at())).ok).toBe(true);
      expect((await verifier.verify(await request(now + 60 * step), at())).ok).toBe(true);
      for (const ts of [now - 61 * step, now + 61 * step]) {
        expect(await verifier.verify(await request(ts), at())).toEqual({
          ok: false,
          reason: 'timestamp_out_of_tolerance',
        });
      }
    },
  );

  it.each([
    [
      'a template that does not sign the body',
      { signed: { template: '{timestamp}' }, timestampHeader: 'x-ts' },
    ],
    ['a signed timestamp without its header', { signed: 'timestamp.body' }],
    ['a signed id without its header', { signed: 'id.timestamp.body', timestampHeader: 'x-ts' }],
  ] as const)('refuses to build with %s', (_name, options) => {
    expect(() => genericHmac({ ...base, ...options })).toThrow();
  });
});

describe('Inlet HMAC v1 and v2', () => {
  const inlet = async (signed: string, header: (hex: string) => string, id = ID) => {
    const { INLET_HMAC } = await import('../../../src/verify/generic-hmac');
    const headers = {
      'x-inlet-signature': header(await hmacHex('SHA-256', SECRET, signed, BODY)),
      'x-inlet-timestamp': TS,
      'x-inlet-id': id,
    };
    return { verifier: genericHmac(INLET_HMAC), request: inbound({ headers, body: BODY }) };
  };

  it('v2 signs the delivery id: the id is trusted, and another id breaks the signature', async () => {
    const { verifier, request } = await inlet(`${ID}.${TS}.`, (hex) => `v2=${hex}`);
    expect(await verifier.verify(request, at())).toEqual({ ok: true, deliveryId: ID });
    request.headers.set('x-inlet-id', 'dlv_other');
    expect(await verifier.verify(request, at())).toEqual({ ok: false, reason: 'no_matching_signature' });
  });

  it('v1 still verifies, its unsigned id paired with a replay key of the signature', async () => {
    const { verifier, request } = await inlet(`${TS}.`, (hex) => `sha256=${hex}`);
    const first = await verifier.verify(request, at());
    request.headers.set('x-inlet-id', 'dlv_replayed');
    const replayed = await verifier.verify(request, at());
    expect(first).toMatchObject({ ok: true, deliveryId: ID, replay: { windowMs: 600_000 } });
    expect(replayed).toMatchObject({ ok: true, deliveryId: 'dlv_replayed' });
    // Same signed content, same key: the store refuses it as a second event.
    expect(first.ok && replayed.ok && first.replay?.key === replayed.replay?.key).toBe(true);
  });

  it('inlet-hmac-v2 refuses v1', async () => {
    const { presets } = await import('../../../src/sources/presets');
    const { request } = await inlet(`${TS}.`, (hex) => `sha256=${hex}`);
    expect(await presets['inlet-hmac-v2'].verifier.verify(request, at())).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
    const v2 = await inlet(`${ID}.${TS}.`, (hex) => `v2=${hex}`);
    expect((await presets['inlet-hmac-v2'].verifier.verify(v2.request, at())).ok).toBe(true);
  });

  it('a body-only scheme with an unsigned id (GitHub, Shopify) keys replays for 72 hours', async () => {
    const verifier = genericHmac({ ...base, idHeader: 'x-id' });
    const headers = { 'x-signature': await hmacHex('SHA-256', SECRET, BODY), 'x-id': 'a' };
    expect(await verifier.verify(inbound({ headers, body: BODY }), at())).toMatchObject({
      ok: true,
      deliveryId: 'a',
      replay: { key: expect.stringMatching(/^sig:[0-9a-f]{64}$/), windowMs: 72 * 3600 * 1000 },
    });
  });
});
