import { describe, expect, it } from 'vitest';
import { crmDeliveries, postDemo, readEvent, uniqueEmail, waitForStatus } from './helpers';

describe('a signed lead travels end to end', () => {
  it('is accepted, goes through the real queue to the CRM, and reads back delivered', async () => {
    const email = uniqueEmail('Ada');
    const response = await postDemo({
      email: `  ${email.toUpperCase()} `,
      first_name: 'Ada',
      last_name: 'Lovelace',
    });
    expect(response.status).toBe(202);
    const { id } = await response.json<{ id: string }>();
    expect(id).toMatch(/^evt_/);

    const event = await waitForStatus(id, ['delivered']);
    expect(event.attempts).toHaveLength(1);
    expect(event.attempts[0]).toMatchObject({
      destination: 'crm',
      attempt: 1,
      http_status: 201,
      error_class: 'ok',
    });
    expect(event.lead).toMatchObject({ email, first_name: 'Ada', source: 'demo' });

    const received = await crmDeliveries(email);
    expect(received).toHaveLength(1);
    expect(received[0]?.webhookId).toBe(id);
  });

  it('answers a redelivery with the original id and does not process it again', async () => {
    const email = uniqueEmail('dup');
    const first = await postDemo({ email }, { id: 'msg_redelivered_1' });
    expect(first.status).toBe(202);
    const { id } = await first.json<{ id: string }>();
    const again = await postDemo({ email }, { id: 'msg_redelivered_1' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ id, duplicate: true });

    await waitForStatus(id, ['delivered']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await crmDeliveries(email)).toHaveLength(1);
    expect((await readEvent(id)).deliveries).toMatchObject([
      { destination: 'crm', status: 'delivered', attempts: 1 },
    ]);
  });

  it('normalises inside workerd: a national phone read in the country the form named', async () => {
    const email = uniqueEmail('uk');
    const response = await postDemo({
      email,
      phone: '07400 123456',
      country: 'United Kingdom',
      name: 'ADA LOVELACE',
    });
    const event = await waitForStatus((await response.json<{ id: string }>()).id, ['delivered']);
    expect(event.lead).toMatchObject({ phone: '+447400123456', first_name: 'Ada', last_name: 'Lovelace' });
  });
});
