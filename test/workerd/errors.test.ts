// Every bad input gets a problem+json answer with a stable code, and none of them a 5xx.
import { describe, expect, it } from 'vitest';
import { InletError } from '../../src/errors';
import { readBody } from '../../src/routes/body';
import { call, postDemo, signDemo } from './helpers';

async function problem(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return response.json<{
    code: string;
    status: number;
    detail: string;
    issues?: { path: string; message: string }[];
  }>();
}

describe('bad input', () => {
  it('unknown source is 404 unknown_source', async () => {
    const response = await call('/in/nope', { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect((await problem(response)).code).toBe('unknown_source');
  });

  it('a bad signature is 401 invalid_signature with no hint of which part failed', async () => {
    const body = JSON.stringify({ email: 'x@example.com' });
    const answers = await Promise.all([
      call('/in/demo', { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
      call('/in/demo', {
        method: 'POST',
        headers: signDemo(body, { secret: 'whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==' }),
        body,
      }),
      call('/in/demo', {
        method: 'POST',
        headers: signDemo(body, { atSeconds: Math.floor(Date.now() / 1000) - 3600 }),
        body,
      }),
      call('/in/demo', { method: 'POST', headers: signDemo('{"email":"other@example.com"}'), body }),
    ]);
    const details = new Set<string>();
    for (const response of answers) {
      expect(response.status).toBe(401);
      const p = await problem(response);
      expect(p.code).toBe('invalid_signature');
      details.add(p.detail);
    }
    expect(details.size).toBe(1);
  });

  it('malformed JSON is 400 malformed_body', async () => {
    const body = '{"email": ';
    const response = await call('/in/demo', { method: 'POST', headers: signDemo(body), body });
    expect(response.status).toBe(400);
    expect((await problem(response)).code).toBe('malformed_body');
  });

  it('a schema mismatch is 422 listing the failing paths without echoing values', async () => {
    const secretValue = 'PII-should-not-echo-4242';
    const response = await postDemo({
      email: ['a@example.com', secretValue],
      company: { nested: secretValue },
      phone: '555',
    });
    expect(response.status).toBe(422);
    const p = await problem(response);
    expect(p.code).toBe('invalid_payload');
    expect(p.issues?.map((issue) => issue.path).sort()).toEqual(['company', 'email']);
    expect(p.issues?.[0]?.message).toBe('mapped lead fields must be text, numbers or booleans');
    const text = JSON.stringify(p);
    expect(text).not.toContain(secretValue);
    expect(text).not.toContain('a@example.com');

    const notAnObject = await postDemo(['just', 'a', 'list'] as unknown as Record<string, unknown>);
    expect(notAnObject.status).toBe(422);
  });

  it('a body over the limit is 413 payload_too_large, declared or streamed', async () => {
    const big = JSON.stringify({ email: 'a@example.com', padding: 'x'.repeat(1024 * 1024) });
    const declared = await call('/in/demo', { method: 'POST', headers: signDemo(big), body: big });
    expect(declared.status).toBe(413);
    expect((await problem(declared)).code).toBe('payload_too_large');

    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(32 * 1024)));
        controller.close();
      },
    });
    const chunked = await call('/in/demo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
    });
    expect(chunked.status).toBe(413);
  });

  it('a body just under the limit is accepted although queue messages are capped at 128 KB', async () => {
    const filler = 'y'.repeat(1024 * 1024 - 200);
    const response = await postDemo({ email: 'big@example.com', company: 'Acme', notes: filler });
    expect(response.status).toBe(202);
  });

  it('a wrong method is 405 method_not_allowed with Allow', async () => {
    for (const method of ['PUT', 'DELETE', 'GET']) {
      const response = await call('/in/demo', { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect((await problem(response)).code).toBe('method_not_allowed');
    }
  });

  it('an unsupported content type is 415 after verification', async () => {
    const body = '<lead/>';
    const headers = { ...signDemo(body), 'content-type': 'application/xml' };
    const response = await call('/in/demo', { method: 'POST', headers, body });
    expect(response.status).toBe(415);
    expect((await problem(response)).code).toBe('unsupported_media_type');
  });

  it('an unknown route is 404 not_found', async () => {
    const response = await call('/nowhere');
    expect(response.status).toBe(404);
    expect((await problem(response)).code).toBe('not_found');
  });

  it('a sender that disconnects mid-upload is 400 incomplete_body, not an internal error', async () => {
    // The body stream failing mid-read is what workerd hands the Worker when the sender goes away.
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(new TextEncoder().encode('{"email":"half'));
        } else controller.error(new Error('connection reset by peer'));
      },
    });
    const request = new Request('https://inlet.test/in/demo', {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    const failure = await readBody(request, 1024).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InletError);
    expect(failure).toMatchObject({ status: 400, code: 'incomplete_body' });
  });

  it('a payload nested too deep or with too many values is 422 payload_too_complex, and nothing is stored', async () => {
    let deep: unknown = 'x@example.com';
    for (let i = 0; i < 5000; i++) deep = [deep];
    const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, 'v']));
    for (const lead of [
      { email: 'deep@example.com', nested: deep },
      { email: 'wide@example.com', ...wide },
    ]) {
      const response = await postDemo(lead);
      expect(response.status).toBe(422);
      expect((await problem(response)).code).toBe('payload_too_complex');
    }
    // A real form's payload is far inside the limits.
    expect((await postDemo({ email: 'ok@example.com', answers: { a: [{ b: { c: 'd' } }] } })).status).toBe(
      202,
    );
  });
});
