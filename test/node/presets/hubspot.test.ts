import { Signature } from '@hubspot/api-client';
import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { hubspotPreset } from '../../../src/sources/presets/hubspot';
import { headersRecord, hmacBase64, inbound, NOW_MS, sha256HexOf, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

const SECRET = 'hubspot-client-secret-0123456789';
const ROTATED = 'hubspot-client-secret-rotated-98';
const URL = 'https://inlet.example/in/hubspot?portal=62515';
const BODY = JSON.stringify([
  { eventId: 100, subscriptionType: 'contact.creation', objectId: 123, occurredAt: 1768478399000 },
  { eventId: 101, subscriptionType: 'contact.propertyChange', objectId: 123, occurredAt: 1768478399001 },
]);

// Official v1/v2 examples from HubSpot's request validation guide.
const GUIDE_SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const GUIDE_BODY =
  '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';

const signV3 = async ({ secret, body, timestampMs, mangle = (s) => s }: SignInput) =>
  inbound({
    url: URL,
    headers: {
      'x-hubspot-signature-v3': mangle(
        Signature.getSignature('POST', 'v3', {
          clientSecret: secret,
          requestBody: body,
          url: URL,
          timestamp: timestampMs,
          signature: '',
        }),
      ),
      'x-hubspot-request-timestamp': String(timestampMs),
    },
    body,
  });

const signLegacy =
  (version: 'v1' | 'v2') =>
  async ({ secret, body, mangle = (s) => s }: SignInput) =>
    inbound({
      url: URL,
      headers: {
        'x-hubspot-signature': mangle(
          Signature.getSignature('POST', version, {
            clientSecret: secret,
            requestBody: body,
            url: URL,
            signature: '',
          }),
        ),
        'x-hubspot-signature-version': version,
      },
      body,
    });

const common = {
  preset: presets.hubspot,
  secret: SECRET,
  rotatedSecret: ROTATED,
  body: BODY,
  tamperedBody: BODY.replace('"objectId":123', '"objectId":124'),
};

describe('hubspot preset', () => {
  describe('v3', () => {
    signedSchemeCases({
      ...common,
      sign: signV3,
      requiredHeaders: ['x-hubspot-signature-v3', 'x-hubspot-request-timestamp'],
      encoding: 'base64',
      toleranceSeconds: 300,
    });

    it('verifies a signature made over the URI with reserved characters decoded', async () => {
      const encoded = 'https://inlet.example/in/hubspot?next=%2Fthanks%3Fref%3Dform';
      // Only the characters in HubSpot's table are decoded: `%3D` stays as it is.
      const decoded = 'https://inlet.example/in/hubspot?next=/thanks?ref%3Dform';
      const signature = await hmacBase64('SHA-256', SECRET, `POST${decoded}`, BODY, String(NOW_MS));
      const request = inbound({
        url: encoded,
        headers: { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(NOW_MS) },
        body: BODY,
      });
      expect(await verify(presets.hubspot, request, [SECRET])).toEqual({ ok: true });
    });

    it('checks v3 alone when present, so a replayed legacy signature cannot stand in for it', async () => {
      const legacy = await signLegacy('v1')({ secret: SECRET, body: BODY, timestampMs: NOW_MS });
      const stale = await signV3({ secret: SECRET, body: BODY, timestampMs: NOW_MS - 3_600_000 });
      const request = {
        ...legacy,
        headers: new Headers({ ...headersRecord(legacy.headers), ...headersRecord(stale.headers) }),
      };
      expect(await verify(presets.hubspot, request, [SECRET])).toEqual({
        ok: false,
        reason: 'timestamp_out_of_tolerance',
      });
    });
  });

  describe('v2', () => {
    signedSchemeCases({
      ...common,
      sign: signLegacy('v2'),
      requiredHeaders: ['x-hubspot-signature', 'x-hubspot-signature-version'],
      encoding: 'hex',
    });

    it("matches the guide's v2 example (a GET with no body)", async () => {
      const request = inbound({
        method: 'GET',
        url: 'https://www.example.com/webhook_uri',
        headers: {
          'x-hubspot-signature': 'eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e',
          'x-hubspot-signature-version': 'v2',
        },
      });
      expect(await verify(presets.hubspot, request, [GUIDE_SECRET])).toEqual({ ok: true });
    });
  });

  describe('v1', () => {
    signedSchemeCases({
      ...common,
      sign: signLegacy('v1'),
      requiredHeaders: ['x-hubspot-signature', 'x-hubspot-signature-version'],
      encoding: 'hex',
    });

    it("matches the guide's v1 example", async () => {
      const request = inbound({
        headers: {
          'x-hubspot-signature': '232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de',
          'x-hubspot-signature-version': 'v1',
        },
        body: GUIDE_BODY,
      });
      expect(await verify(presets.hubspot, request, [GUIDE_SECRET])).toEqual({ ok: true });
      // A plain SHA-256 of secret + body, which is why these versions are not HMACs.
      expect(await sha256HexOf(GUIDE_SECRET + GUIDE_BODY)).toBe(request.headers.get('x-hubspot-signature'));
    });
  });

  it('refuses the legacy versions when configured for v3 only', async () => {
    const request = await signLegacy('v2')({ secret: SECRET, body: BODY, timestampMs: NOW_MS });
    expect(await verify(hubspotPreset({ versions: ['v3'] }), request, [SECRET])).toEqual({
      ok: false,
      reason: 'missing_header',
    });
    const v3 = await signV3({ secret: SECRET, body: BODY, timestampMs: NOW_MS });
    expect((await verify(hubspotPreset({ versions: ['v3'] }), v3, [SECRET])).ok).toBe(true);
  });

  it('keys a batch on its event ids', () => {
    expect(presets.hubspot.idempotencyKey?.(inbound({}), JSON.parse(BODY))).toBe('100,101');
    expect(presets.hubspot.idempotencyKey?.(inbound({}), [{ eventId: 1 }, { objectId: 2 }])).toBeUndefined();
  });
});
