/**
 * The failure modes every signature scheme is tested against, as one table: each preset's test
 * describes how its provider signs, and this runs the same cases over it. A case asserts the exact
 * reason, so a verifier that rejects for the wrong reason (or accepts) fails.
 */
import { expect, it } from 'vitest';
import type { Preset } from '../../../src/sources/types';
import type { InboundRequest, VerifyFailure } from '../../../src/verify/types';
import { headersRecord, NOW_MS, truncated, verify, without } from './sign';

export interface SignInput {
  secret: string;
  body: string;
  timestampMs: number;
  /** Applied to the encoded signature before it is put in its header. */
  mangle?: (signature: string) => string;
}

export interface SignedScheme {
  preset: Preset;
  /** A request signed as the provider signs it. */
  sign(input: SignInput): Promise<InboundRequest>;
  secret: string;
  /** A second valid secret, for rotation: signed with it, the request must verify too. */
  rotatedSecret: string;
  /** A well-formed secret that is neither of the above; a plain string by default. */
  wrongSecret?: string;
  body: string;
  /** A body differing from `body` in one field. */
  tamperedBody: string;
  /** Every header whose absence must be reported as `missing_header`. */
  requiredHeaders: readonly string[];
  /** How the signature is encoded: decides what a mis-encoded signature looks like. */
  encoding: 'hex' | 'base64';
  /** When the scheme signs a timestamp: its tolerance, in seconds, both directions. */
  toleranceSeconds?: number;
  /** The delivery id the verifier must return for a valid request, if the provider sends one. */
  deliveryId?: string;
}

const misencode = (encoding: 'hex' | 'base64') => (signature: string) =>
  encoding === 'hex' ? `zz${signature.slice(2)}` : `*${signature.slice(1)}`;

export function signedSchemeCases(scheme: SignedScheme): void {
  const { preset, secret, body } = scheme;
  const signed = (input: Partial<SignInput> = {}) =>
    scheme.sign({ secret, body, timestampMs: NOW_MS, ...input });
  const expected = scheme.deliveryId ? { ok: true, deliveryId: scheme.deliveryId } : { ok: true };

  it('accepts a request signed by the provider', async () => {
    expect(await verify(preset, await signed(), [secret])).toMatchObject(expected);
  });

  it('accepts a rotated secret: old and new both verify while both are configured', async () => {
    const both = [scheme.rotatedSecret, secret];
    expect((await verify(preset, await signed(), both)).ok).toBe(true);
    expect((await verify(preset, await signed({ secret: scheme.rotatedSecret }), both)).ok).toBe(true);
    expect((await verify(preset, await signed({ secret: scheme.rotatedSecret }), [secret])).ok).toBe(false);
  });

  const cases: [string, () => Promise<InboundRequest>, VerifyFailure, string[]?, number?][] = [
    [
      'wrong secret',
      () => signed({ secret: scheme.wrongSecret ?? 'not-the-configured-secret' }),
      'no_matching_signature',
    ],
    [
      'tampered body',
      async () => ({ ...(await signed()), body: new TextEncoder().encode(scheme.tamperedBody) }),
      'no_matching_signature',
    ],
    ['truncated signature', () => signed({ mangle: truncated }), 'malformed_signature'],
    ['mis-encoded signature', () => signed({ mangle: misencode(scheme.encoding) }), 'malformed_signature'],
    ['request when no secret is configured', () => signed(), 'no_secret_configured', []],
  ];
  for (const header of scheme.requiredHeaders) {
    cases.push([
      `missing ${header} header`,
      async () => {
        const request = await signed();
        const headers = without(headersRecord(request.headers), header);
        return { ...request, headers: new Headers(headers) };
      },
      'missing_header',
    ]);
  }
  if (scheme.toleranceSeconds !== undefined) {
    const beyond = (scheme.toleranceSeconds + 1) * 1000;
    cases.push(
      ['timestamp too old', () => signed({ timestampMs: NOW_MS - beyond }), 'timestamp_out_of_tolerance'],
      [
        'timestamp in the future',
        () => signed({ timestampMs: NOW_MS + beyond }),
        'timestamp_out_of_tolerance',
      ],
    );
  }

  it.each(cases)('rejects a %s', async (_name, build, reason, secrets = [secret], nowMs = NOW_MS) => {
    expect(await verify(preset, await build(), secrets, nowMs)).toEqual({ ok: false, reason });
  });

  if (scheme.toleranceSeconds !== undefined) {
    const within = (scheme.toleranceSeconds - 1) * 1000;
    it('accepts timestamps just inside the tolerance, either side', async () => {
      expect((await verify(preset, await signed({ timestampMs: NOW_MS - within }), [secret])).ok).toBe(true);
      expect((await verify(preset, await signed({ timestampMs: NOW_MS + within }), [secret])).ok).toBe(true);
    });
  }
}

export interface TokenScheme {
  preset: Preset;
  /** A request carrying `token` the way the sender sends it. */
  present(token: string): InboundRequest;
  secret: string;
  rotatedSecret: string;
  /** A well-formed credential that is neither of the above. */
  wrongSecret?: string;
  /** Requests carrying no credentials at all. */
  missing: readonly InboundRequest[];
  /** Requests carrying credentials in a shape the scheme does not accept. */
  malformed: readonly InboundRequest[];
}

/** The failure modes of schemes that send a secret as it is (Basic auth, bearer, URL token). */
export function tokenSchemeCases(scheme: TokenScheme): void {
  const { preset, secret, rotatedSecret } = scheme;

  it('accepts the configured secret', async () => {
    expect(await verify(preset, scheme.present(secret), [secret])).toEqual({ ok: true });
  });

  it('accepts a rotated secret: old and new both verify while both are configured', async () => {
    expect((await verify(preset, scheme.present(secret), [rotatedSecret, secret])).ok).toBe(true);
    expect((await verify(preset, scheme.present(rotatedSecret), [rotatedSecret, secret])).ok).toBe(true);
  });

  const cases: [string, InboundRequest, VerifyFailure, string[]?][] = [
    [
      'wrong secret',
      scheme.present(scheme.wrongSecret ?? 'not-the-configured-secret'),
      'no_matching_signature',
    ],
    ['truncated secret', scheme.present(truncated(secret)), 'no_matching_signature'],
    ['secret with a suffix', scheme.present(`${secret}x`), 'no_matching_signature'],
    ['request when no secret is configured', scheme.present(secret), 'no_secret_configured', []],
    ...scheme.missing.map((r, i): [string, InboundRequest, VerifyFailure] => [
      `missing credential #${i + 1}`,
      r,
      'missing_header',
    ]),
    ...scheme.malformed.map((r, i): [string, InboundRequest, VerifyFailure] => [
      `malformed credential #${i + 1}`,
      r,
      'malformed_signature',
    ]),
  ];
  it.each(cases)('rejects a %s', async (_name, request, reason, secrets = [secret]) => {
    expect(await verify(preset, request, secrets)).toEqual({ ok: false, reason });
  });
}
