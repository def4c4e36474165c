import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { presets } from '../../../src/sources/presets';
import { hmacPreset, inletHmacPreset } from '../../../src/sources/presets/hmac';
import { hmacHex, inbound, NOW_MS, seconds, verify } from './sign';
import { type SignInput, signedSchemeCases } from './suite';

const SECRET = 'dev-n8n-shared-secret';
const ID = 'n8n-exec-1234-0';
const BODY = JSON.stringify({ email: 'ada@example.com', name: 'Ada Lovelace', source: 'n8n' });

// What the n8n Crypto node (Hmac, SHA256, HEX) and Make's sha256(text; "hex"; key) compute.
const n8nCrypto = (secret: string, value: string) => createHmac('SHA256', secret).update(value).digest('hex');

const sign = async ({ secret, body, timestampMs, mangle = (s) => s }: SignInput) => {
  const ts = seconds(timestampMs);
  return inbound({
    headers: {
      'content-type': 'application/json',
      'x-inlet-timestamp': String(ts),
      'x-inlet-signature': `sha256=${mangle(n8nCrypto(secret, `${ts}.${body}`))}`,
      'x-inlet-id': ID,
    },
    body,
  });
};

describe('inlet-hmac preset', () => {
  signedSchemeCases({
    preset: presets['inlet-hmac'],
    sign,
    secret: SECRET,
    rotatedSecret: 'dev-n8n-shared-secret-rotated',
    body: BODY,
    tamperedBody: BODY.replace('ada@', 'eve@'),
    requiredHeaders: ['x-inlet-signature', 'x-inlet-timestamp'],
    encoding: 'hex',
    toleranceSeconds: 300,
    deliveryId: ID,
  });

  it('treats x-inlet-id as optional', async () => {
    const request = await sign({ secret: SECRET, body: BODY, timestampMs: NOW_MS });
    request.headers.delete('x-inlet-id');
    expect(await verify(presets['inlet-hmac'], request, [SECRET])).toEqual({ ok: true });
  });

  it('takes its tolerance from the factory', async () => {
    const request = await sign({ secret: SECRET, body: BODY, timestampMs: NOW_MS - 600_000 });
    expect((await verify(inletHmacPreset({ toleranceSeconds: 900 }), request, [SECRET])).ok).toBe(true);
  });

  it('verifies what the n8n example workflow sends', async () => {
    const workflow = JSON.parse(
      readFileSync(new URL('../../../examples/n8n-inlet-hmac.json', import.meta.url), 'utf8'),
    );
    type Node = { type: string; parameters: Record<string, unknown> };
    const nodes: Node[] = workflow.nodes;
    const node = (type: string): Record<string, unknown> => {
      const found = nodes.find((n) => n.type === `n8n-nodes-base.${type}`);
      if (!found) throw new Error(`the example has no ${type} node`);
      return found.parameters;
    };
    const code = node('code');
    const http = node('httpRequest');
    expect(node('crypto')).toMatchObject({
      action: 'hmac',
      type: 'SHA256',
      encoding: 'hex',
      value: '={{ $json.id }}.{{ $json.ts }}.{{ $json.body }}',
      dataPropertyName: 'signature',
    });
    expect(http).toMatchObject({ method: 'POST', contentType: 'raw', body: '={{ $json.body }}' });
    const { parameters } = http.headerParameters as { parameters: { name: string; value: string }[] };
    const headers = Object.fromEntries(parameters.map((h) => [h.name.toLowerCase(), h.value]));
    expect(headers['x-inlet-timestamp']).toBe('={{ $json.ts }}');
    expect(headers['x-inlet-signature']).toBe('=v2={{ $json.signature }}');
    expect(headers['x-inlet-id']).toBe('={{ $json.id }}');

    // Run the Code node's JavaScript as n8n would, then sign and send as the next two nodes do.
    const run = new Function('$execution', String(code.jsCode));
    const [item] = run({ id: '42' }) as [{ json: { body: string; ts: number; id: string } }];
    expect(item.json.id).toMatch(/^n8n-42-\d+$/);
    const { body, ts, id } = item.json;
    const request = inbound({
      headers: {
        'x-inlet-timestamp': String(ts),
        'x-inlet-id': id,
        'x-inlet-signature': `v2=${n8nCrypto(SECRET, `${id}.${ts}.${body}`)}`,
      },
      body,
    });
    // v2, which the strict preset takes too: the example is ready for `inlet-hmac-v2`.
    expect(await verify(presets['inlet-hmac-v2'], request, [SECRET], ts * 1000)).toEqual({
      ok: true,
      deliveryId: id,
    });
  });
});

describe('hmacPreset', () => {
  it('builds a preset for any sender, named as the source wants', async () => {
    const preset = hmacPreset({
      name: 'crm-outbound',
      header: 'x-crm-signature',
      algorithm: 'SHA-512',
      encoding: 'base64',
      signed: 'id.timestamp.body',
      timestampHeader: 'x-crm-timestamp',
      timestampUnit: 'ms',
      idHeader: 'x-crm-delivery',
    });
    const signature = Buffer.from(await hmacHex('SHA-512', SECRET, `d1.${NOW_MS}.`, BODY), 'hex').toString(
      'base64',
    );
    const request = inbound({
      headers: { 'x-crm-signature': signature, 'x-crm-timestamp': String(NOW_MS), 'x-crm-delivery': 'd1' },
      body: BODY,
    });
    expect(preset.name).toBe('crm-outbound');
    expect(await verify(preset, request, [SECRET])).toEqual({ ok: true, deliveryId: 'd1' });
  });
});
