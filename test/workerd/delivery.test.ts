// Delivery through the real queue to the mock CRM on 127.0.0.1, for each way a CRM answers.
import { describe, expect, it } from 'vitest';
import { crmDeliveries, crmScript, postDemo, uniqueEmail, waitForStatus } from './helpers';

async function send(email: string): Promise<string> {
  const response = await postDemo({ email, first_name: 'Grace' });
  expect(response.status).toBe(202);
  return (await response.json<{ id: string }>()).id;
}

describe('delivery', () => {
  it('a CRM 500 then 200 ends delivered after a retry', async () => {
    const email = uniqueEmail('retry');
    await crmScript(email, [{ status: 500 }]);
    const event = await waitForStatus(await send(email), ['delivered', 'dead']);
    expect(event.status).toBe('delivered');
    expect(event.attempts.map((a) => [a.http_status, a.error_class])).toEqual([
      [500, 'server_error'],
      [201, 'ok'],
    ]);
    expect(event.attempts[0]?.retry_in_s).toBeGreaterThanOrEqual(1);
  });

  it('a CRM 400 ends dead with one attempt', async () => {
    const email = uniqueEmail('refused');
    await crmScript(email, [{ status: 400 }]);
    const id = await send(email);
    const event = await waitForStatus(id, ['delivered', 'dead']);
    expect(event.status).toBe('dead');
    expect(event.attempts).toHaveLength(1);
    expect(event.attempts[0]).toMatchObject({
      http_status: 400,
      error_class: 'client_error',
      retry_in_s: null,
    });
    expect(event.last_error).toBe('crm client_error: HTTP 400');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await crmDeliveries(email)).toHaveLength(1);
  });

  it('a CRM that always fails ends dead after the configured attempts (1 + max_retries)', async () => {
    const email = uniqueEmail('down');
    await crmScript(
      email,
      Array.from({ length: 10 }, () => ({ status: 503 })),
    );
    const event = await waitForStatus(await send(email), ['delivered', 'dead'], 25_000);
    expect(event.status).toBe('dead');
    expect(event.attempts).toHaveLength(3);
    expect(event.attempts.every((a) => a.error_class === 'server_error')).toBe(true);
    expect(event.last_error).toBe('crm server_error: HTTP 503');
  });

  it('a CRM that does not answer in time is a timeout, retried', async () => {
    const email = uniqueEmail('slow');
    await crmScript(email, [{ status: 200, delayMs: 3000 }]);
    const event = await waitForStatus(await send(email), ['delivered', 'dead'], 25_000);
    expect(event.status).toBe('delivered');
    expect(event.attempts[0]).toMatchObject({ error_class: 'timeout', http_status: null });
  });

  it('a flat lead with no email or phone key is refused at once with 422, naming what is missing', async () => {
    const response = await postDemo({ first_name: 'Nobody', company: 'Acme', lead: { email: 'x@acme.com' } });
    expect(response.status).toBe(422);
    const problem = await response.json<{ code: string; issues: { path: string; message: string }[] }>();
    expect(problem.code).toBe('invalid_payload');
    expect(problem.issues).toEqual([{ path: 'email', message: expect.stringMatching(/^no email or phone/) }]);
  });

  it('a lead whose contact does not hold up is stored as invalid, not delivered', async () => {
    const response = await postDemo({ email: 'nobody at acme', first_name: 'Nobody' });
    expect(response.status).toBe(202);
    const { id } = await response.json<{ id: string }>();
    const event = await waitForStatus(id, ['invalid', 'delivered', 'dead']);
    expect(event.status).toBe('invalid');
    expect(event.last_error).toMatch(/^no_contact/);
    expect(event.attempts).toHaveLength(0);
  });
});
