// A captured request replayed under a fresh delivery id: where the scheme signs the id (Inlet HMAC
// v2) the new id breaks the signature; where it does not (Inlet HMAC v1, GitHub), the signed
// content itself identifies the request, so the replay is answered as the redelivery it is.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { hmac, toHex, utf8 } from '../../src/verify/crypto';
import { TEST_N8N_SECRET } from '../secrets';
import { call, uniqueEmail } from './helpers';

const hex = async (key: string, text: string) => toHex(await hmac('SHA-256', utf8(key), utf8(text)));
const seconds = () => String(Math.floor(Date.now() / 1000));
const post = (path: string, headers: Record<string, string>, body: string) =>
  call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('replays under a fresh delivery id', () => {
  it('Inlet HMAC v1: the same signed request with another x-inlet-id is a duplicate of the first', async () => {
    const body = JSON.stringify({ email: uniqueEmail('v1replay') });
    const ts = seconds();
    const signature = `sha256=${await hex(TEST_N8N_SECRET, `${ts}.${body}`)}`;
    const headers = (id: string) => ({
      'x-inlet-signature': signature,
      'x-inlet-timestamp': ts,
      'x-inlet-id': id,
    });
    const first = await post('/in/n8n', headers('exec-1'), body);
    expect(first.status).toBe(202);
    const { id } = await first.json<{ id: string }>();
    const replay = await post('/in/n8n', headers('exec-attacker'), body);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ id, duplicate: true });
    const { count } = (await env.DB.prepare('SELECT count(*) AS count FROM events WHERE body = ?1')
      .bind(utf8(body))
      .first<{ count: number }>())!;
    expect(count).toBe(1);
  });

  it('Inlet HMAC v2 signs the id: a legitimate new delivery is new, a swapped id is refused', async () => {
    const body = JSON.stringify({ email: uniqueEmail('v2') });
    const ts = seconds();
    const v2 = async (id: string) => ({
      'x-inlet-signature': `v2=${await hex(TEST_N8N_SECRET, `${id}.${ts}.${body}`)}`,
      'x-inlet-timestamp': ts,
      'x-inlet-id': id,
    });
    const signed = await v2('exec-2');
    expect((await post('/in/n8n', signed, body)).status).toBe(202);
    expect((await post('/in/n8n', signed, body)).status).toBe(200); // the sender's own retry
    const swapped = { ...signed, 'x-inlet-id': 'exec-attacker' };
    const refused = await post('/in/n8n', swapped, body);
    expect(refused.status).toBe(401);
    expect((await refused.json<{ code: string }>()).code).toBe('invalid_signature');
  });

  it('GitHub signs no id nor time: a body replayed with a new X-GitHub-Delivery is a duplicate', async () => {
    const secret = ((env as unknown as Record<string, string>).SOURCE_GITHUB_SECRET ?? '').split(/\s+/)[0]!;
    const body = JSON.stringify({ action: 'created', sender: { login: 'octo', email: uniqueEmail('gh') } });
    const signature = `sha256=${await hex(secret, body)}`;
    const headers = (delivery: string) => ({
      'x-hub-signature-256': signature,
      'x-github-delivery': delivery,
      'x-github-event': 'star',
    });
    const first = await post('/in/github', headers(crypto.randomUUID()), body);
    expect(first.status).toBe(202);
    const replay = await post('/in/github', headers(crypto.randomUUID()), body);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({
      duplicate: true,
      id: (await first.json<{ id: string }>()).id,
    });
  });
});
