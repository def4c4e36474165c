// The two built-in sources through the HTTP edge: Standard Webhooks with key rotation, and the
// generic HMAC that n8n and Make produce; JSON and form bodies.
import { describe, expect, it } from 'vitest';
import { hmac, toHex, utf8 } from '../../src/verify/crypto';
import { TEST_DEMO_OLD_SECRET, TEST_N8N_SECRET } from '../secrets';
import { call, postDemo, signDemo, uniqueEmail, waitForStatus } from './helpers';

async function signN8n(body: string, timestamp = Math.floor(Date.now() / 1000), secret = TEST_N8N_SECRET) {
  const signature = toHex(await hmac('SHA-256', utf8(secret), utf8(`${timestamp}.${body}`)));
  return { 'x-inlet-timestamp': String(timestamp), 'x-inlet-signature': `sha256=${signature}` };
}

describe('demo source (Standard Webhooks)', () => {
  it('accepts the previous secret during a rotation', async () => {
    const response = await postDemo({ email: uniqueEmail('rotated') }, { secret: TEST_DEMO_OLD_SECRET });
    expect(response.status).toBe(202);
  });

  it('accepts a form-urlencoded lead', async () => {
    const email = uniqueEmail('form');
    const body = new URLSearchParams({ email, first_name: 'Form', company: 'Acme' }).toString();
    const headers = { ...signDemo(body), 'content-type': 'application/x-www-form-urlencoded' };
    const response = await call('/in/demo', { method: 'POST', headers, body });
    expect(response.status).toBe(202);
    const event = await waitForStatus((await response.json<{ id: string }>()).id, ['delivered']);
    expect(event.lead).toMatchObject({ email, company: 'Acme' });
  });
});

describe('n8n source (generic HMAC over timestamp.body)', () => {
  it('delivers a lead signed the way an n8n Crypto node signs it', async () => {
    const email = uniqueEmail('n8n');
    const body = JSON.stringify({ email, name: 'Workflow Lead' });
    const response = await call('/in/n8n', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await signN8n(body)) },
      body,
    });
    expect(response.status).toBe(202);
    const event = await waitForStatus((await response.json<{ id: string }>()).id, ['delivered']);
    expect(event.lead).toMatchObject({ email });
  });

  it('dedupes a resend of the same body by its hash when no id header is sent', async () => {
    const body = JSON.stringify({ email: uniqueEmail('n8ndup') });
    const headers = { 'content-type': 'application/json', ...(await signN8n(body)) };
    const first = await call('/in/n8n', { method: 'POST', headers, body });
    const second = await call('/in/n8n', { method: 'POST', headers, body });
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect((await second.json<{ id: string }>()).id).toBe((await first.json<{ id: string }>()).id);
  });

  it.each([
    ['a stale timestamp', async (body: string) => signN8n(body, Math.floor(Date.now() / 1000) - 301)],
    ['a future timestamp', async (body: string) => signN8n(body, Math.floor(Date.now() / 1000) + 301)],
    ['a wrong secret', async (body: string) => signN8n(body, undefined, 'not-the-secret')],
  ])('rejects %s with 401', async (_name, sign) => {
    const body = JSON.stringify({ email: uniqueEmail('n8nbad') });
    const response = await call('/in/n8n', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await sign(body)) },
      body,
    });
    expect(response.status).toBe(401);
  });
});
