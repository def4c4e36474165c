// Secrets and PII never reach logs or error bodies: every console line written while leads go
// through every path (accepted, delivered, refused, invalid, bad signature, bad schema) is checked
// for the contact data and the secrets involved.
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TEST_ADMIN_TOKEN, TEST_DEMO_SECRET, TEST_DESTINATION_SECRET } from '../secrets';
import { call, crmScript, postDemo, signDemo, uniqueEmail, waitForStatus } from './helpers';

const lines: string[] = [];
const spies: ReturnType<typeof vi.spyOn>[] = [];

beforeAll(() => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    spies.push(
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
      }),
    );
  }
});
afterAll(() => {
  for (const spy of spies) spy.mockRestore();
});

describe('logs and error bodies', () => {
  it('carry no email, phone, name, secret or signature', async () => {
    const email = uniqueEmail('private');
    const refusedEmail = uniqueEmail('refusedprivate');
    const phone = '+1 415 555 0187';
    const lead = { email, phone, first_name: 'Zelda', last_name: 'Quixotic', company: 'Secretive Labs' };
    const bodies: string[] = [];

    const ok = await postDemo(lead);
    const { id } = await ok.json<{ id: string }>();
    await waitForStatus(id, ['delivered']);

    await crmScript(refusedEmail, [{ status: 500 }, { status: 400 }]);
    const refused = await (await postDemo({ ...lead, email: refusedEmail })).json<{ id: string }>();
    await waitForStatus(refused.id, ['dead']);

    // No contact at all: refused at the edge. A contact that does not hold up: kept as invalid.
    const noContact = await postDemo({ first_name: 'Zelda', company: 'Secretive Labs' });
    expect(noContact.status).toBe(422);
    bodies.push(await noContact.text());
    const unusable = await (
      await postDemo({ email: 'zelda at secretive', first_name: 'Zelda', company: 'Secretive Labs' })
    ).json<{ id: string }>();
    await waitForStatus(unusable.id, ['invalid']);

    const body = JSON.stringify(lead);
    const badSignature = signDemo(body, { secret: 'whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==' });
    bodies.push(await (await call('/in/demo', { method: 'POST', headers: badSignature, body })).text());
    bodies.push(
      await (await postDemo({ ...lead, email: [email], company: { name: 'Secretive Labs' } })).text(),
    );
    const broken = `{"email":"${email}",`;
    bodies.push(
      await (await call('/in/demo', { method: 'POST', headers: signDemo(broken), body: broken })).text(),
    );
    bodies.push(
      await (
        await call('/admin/events/x', { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}x` } })
      ).text(),
    );

    // The operator's paths log too: a search by the person's email, and their erasure.
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
    bodies.push(
      await (await call(`/admin/events?email=${encodeURIComponent(email)}`, { headers: admin })).text(),
    );
    bodies.push(
      await (
        await call('/admin/erase', {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({ email: refusedEmail }),
        })
      ).text(),
    );
    bodies.push(await (await call('/admin/events?email=%22Zelda%22&limit=x', { headers: admin })).text());

    const forbidden = [
      email,
      refusedEmail,
      '4155550187',
      '555 0187',
      'Zelda',
      'Quixotic',
      'Secretive',
      TEST_DEMO_SECRET,
      TEST_DEMO_SECRET.slice(6, 30),
      TEST_DESTINATION_SECRET,
      TEST_ADMIN_TOKEN,
      badSignature['webhook-signature'].slice(3),
      (env as unknown as Record<string, string>).SOURCE_N8N_SECRET ?? 'unset',
    ];
    expect(lines.length).toBeGreaterThan(3);
    for (const text of [...lines, ...bodies]) {
      for (const needle of forbidden) expect(text, `leaked ${needle}`).not.toContain(needle);
    }
  });

  it('are one JSON object per line: a line per request and per attempt, joined by the request id', async () => {
    const requestId = `test-ray-${Date.now()}`;
    const body = JSON.stringify({ email: uniqueEmail('logline') });
    const response = await call('/in/demo', {
      method: 'POST',
      headers: { ...signDemo(body), 'cf-ray': requestId },
      body,
    });
    const { id } = await response.json<{ id: string }>();
    await waitForStatus(id, ['delivered']);
    const mine = lines
      .filter((line) => line.includes(requestId))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          message: 'request',
          method: 'POST',
          path: '/in/demo',
          status: 202,
          event_ids: id,
        }),
        expect.objectContaining({
          message: 'delivery attempt',
          event_id: id,
          destination: 'crm',
          status: 'delivered',
        }),
      ]),
    );
    for (const line of mine) expect(line.request_id).toBe(requestId);
  });
});
