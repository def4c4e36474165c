/**
 * Signing for providers that publish no signing library, written from each provider's spec with
 * WebCrypto alone (not with the code under test), plus builders for inbound requests.
 */
import { expect } from 'vitest';
import type { Preset } from '../../../src/sources/types';
import type { Bytes, HashAlgorithm } from '../../../src/verify/crypto';
import type { InboundRequest, VerifyFailure, VerifyResult } from '../../../src/verify/types';

export const INGEST_URL = 'https://inlet.example/in/test';

const encoder = new TextEncoder();
const bytes = (part: string | Bytes): Bytes =>
  typeof part === 'string' ? (encoder.encode(part) as Bytes) : part;

async function rawHmac(
  algorithm: HashAlgorithm,
  secret: string,
  parts: (string | Bytes)[],
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', bytes(secret), { name: 'HMAC', hash: algorithm }, false, [
    'sign',
  ]);
  const joined = Buffer.concat(parts.map((part) => Buffer.from(bytes(part))));
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, joined));
}

/** Hex HMAC of the parts, concatenated, under a UTF-8 secret. */
export async function hmacHex(algorithm: HashAlgorithm, secret: string, ...parts: (string | Bytes)[]) {
  return Buffer.from(await rawHmac(algorithm, secret, parts)).toString('hex');
}

/** Base64 HMAC of the parts, concatenated, under a UTF-8 secret. */
export async function hmacBase64(algorithm: HashAlgorithm, secret: string, ...parts: (string | Bytes)[]) {
  return Buffer.from(await rawHmac(algorithm, secret, parts)).toString('base64');
}

export async function sha256HexOf(text: string): Promise<string> {
  return Buffer.from(await crypto.subtle.digest('SHA-256', bytes(text))).toString('hex');
}

export interface RequestInit {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  body?: string | Bytes;
}

export const inbound = ({
  method = 'POST',
  url = INGEST_URL,
  headers = {},
  body = '',
}: RequestInit): InboundRequest => ({
  method,
  url,
  headers: new Headers(headers),
  body: bytes(body),
});

/** A plain record of `headers` (the DOM lib here has no Headers iterator). */
export function headersRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

/** Headers with some removed, for the "missing header" cases. */
export function without(headers: Record<string, string>, ...names: string[]): Record<string, string> {
  const lower = names.map((n) => n.toLowerCase());
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !lower.includes(name.toLowerCase())));
}

/** The first half of a signature, for the "truncated signature" cases. */
export const truncated = (signature: string): string => signature.slice(0, Math.floor(signature.length / 2));

export const seconds = (ms: number): number => Math.floor(ms / 1000);

/** A fixed clock: 2026-01-15T12:00:00Z. */
export const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);

export async function verify(preset: Preset, request: InboundRequest, secrets: string[], nowMs = NOW_MS) {
  return preset.verifier.verify(request, { secrets, nowMs });
}

export function expectFailure(result: VerifyResult, reason: VerifyFailure): void {
  expect(result).toEqual({ ok: false, reason });
}
