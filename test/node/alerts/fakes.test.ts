import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { slackMessage } from '../../../src/alerts/format';
import { type FakeEmail, type RecordedEmail, startFakeEmail } from '../../servers/email';
import {
  type FakeSlack,
  type SlackRecordedMessage,
  type SlackRecordedResponse,
  startFakeSlack,
} from '../../servers/slack';

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('fake Slack', () => {
  let slack: FakeSlack;
  const control = (path: string, body?: unknown) =>
    fetch(`${slack.url}/__control/${path}`, body === undefined ? {} : json(body));
  const post = (body: unknown) => fetch(slack.webhookUrl, json(body));

  beforeAll(async () => {
    slack = await startFakeSlack({});
  });
  afterAll(() => slack.close());
  beforeEach(async () => {
    await control('reset', {});
  });

  it('posts a message as Slack does: 200 with the text body ok, recorded with its time', async () => {
    expect(slack.webhookUrl).toBe(`${slack.url}/services/T000/B000/XXXX`);
    const message = slackMessage(
      'opened',
      {
        id: 'alg_01',
        kind: 'dead',
        source: 'typeform',
        destination: 'hubspot',
        errorClass: 'server_error',
        count: 1,
        toldCount: 0,
        firstAt: 0,
        lastAt: 0,
        sinceAt: 0,
        sample: { eventId: 'evt_01', httpStatus: 503 },
        replayableCount: 1,
      },
      { adminBaseUrl: 'https://inlet.example.workers.dev' },
      60_000,
    );
    const before = Date.now();
    const response = await post(message);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('ok');
    const recorded = (await (await control('messages')).json()) as SlackRecordedMessage[];
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ text: message.text, blocks: message.blocks });
    expect(recorded[0]!.at).toBeGreaterThanOrEqual(before);
  });

  it('takes the form-encoded payload Slack also takes', async () => {
    const response = await fetch(slack.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ payload: JSON.stringify({ text: 'hello' }) }),
    });
    expect(response.status).toBe(200);
  });

  it.each([
    [{}, 'no_text'],
    [{ text: '', blocks: [] }, 'no_text'],
    [{ text: 'x', blocks: [{ type: 'section' }] }, 'invalid_blocks'],
    [
      { text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'not plain' } }] },
      'invalid_blocks',
    ],
    [
      { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }] },
      'invalid_blocks',
    ],
    [{ text: 'x', blocks: [{ type: 'input' }] }, 'invalid_blocks'],
    [{ text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }, 'invalid_blocks'],
    [
      {
        text: 'x',
        blocks: [
          {
            type: 'actions',
            elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'A' } }],
          },
          {
            type: 'actions',
            elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'B' } }],
          },
        ],
      },
      'invalid_blocks',
    ],
    [{ text: 'y'.repeat(40_001) }, 'msg_too_long'],
    [{ text: 42 }, 'invalid_payload'],
    [[], 'invalid_payload'],
  ])('refuses %j with 400 %s, and records nothing', async (body, error) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(error);
    expect(await (await control('messages')).json()).toEqual([]);
  });

  it('refuses a body that is not JSON with 400 invalid_payload', async () => {
    const response = await fetch(slack.webhookUrl, { method: 'POST', body: '{not json' });
    expect([response.status, await response.text()]).toEqual([400, 'invalid_payload']);
  });

  it('answers scripted 429s with Retry-After, then posts again', async () => {
    await control('fail', { status: 429, times: 2, retryAfter: 7 });
    for (let i = 0; i < 2; i++) {
      const response = await post({ text: 'hello' });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('7');
      expect(await response.text()).toBe('rate_limited');
    }
    expect((await post({ text: 'hello' })).status).toBe(200);
    expect(await (await control('messages')).json()).toHaveLength(1);
  });

  it('answers a scripted 503, and can hang before answering', async () => {
    await control('fail', { status: 503, times: 1, delayMs: 150 });
    const started = Date.now();
    const response = await post({ text: 'hello' });
    expect(response.status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(response.headers.get('retry-after')).toBeNull();
  });

  it('takes posts to a response_url apart from the messages, five times', async () => {
    const { url } = (await (await control('response-url', {})).json()) as { url: string };
    expect(url).toMatch(new RegExp(`^${slack.url}/response/`));
    const response = await fetch(url, json({ replace_original: true, text: 'Replayed 3 events.' }));
    expect([response.status, await response.text()]).toEqual([200, 'ok']);
    const responses = (await (await control('responses')).json()) as SlackRecordedResponse[];
    expect(responses).toMatchObject([{ replaceOriginal: true, text: 'Replayed 3 events.', blocks: [] }]);
    expect(await (await control('messages')).json()).toEqual([]);
    for (let i = 0; i < 4; i++) expect((await fetch(url, json({ text: 'again' }))).status).toBe(200);
    const sixth = await fetch(url, json({ text: 'again' }));
    expect([sixth.status, await sixth.text()]).toEqual([404, 'used_url']);
    const unknown = await fetch(`${slack.url}/response/nope`, json({ text: 'x' }));
    expect([unknown.status, await unknown.text()]).toEqual([404, 'expired_url']);
    const fresh = (await (await control('response-url', {})).json()) as { url: string };
    const notBoolean = await fetch(fresh.url, json({ replace_original: 'true', text: 'x' }));
    expect([notBoolean.status, await notBoolean.text()]).toEqual([400, 'invalid_payload']);
  });

  it('prints each message as one line when asked', async () => {
    const printing = await startFakeSlack({ print: true });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await fetch(printing.webhookUrl, json({ text: 'Dead deliveries\nfix it' }));
      expect(log).toHaveBeenCalledWith('[fake-slack] Dead deliveries fix it');
    } finally {
      log.mockRestore();
      await printing.close();
    }
  });
});

describe('fake email API', () => {
  const token = 're_test_token';
  let email: FakeEmail;
  const send = (body: unknown, authorization: string | null = `Bearer ${token}`) =>
    fetch(`${email.url}/emails`, json(body, authorization === null ? {} : { authorization }));
  const message = {
    from: 'Inlet <alerts@inlet.dev>',
    to: 'oncall@acme.com',
    subject: 'Dead deliveries',
    text: 'x',
  };

  beforeAll(async () => {
    email = await startFakeEmail({ token });
  });
  afterAll(() => email.close());
  beforeEach(async () => {
    await fetch(`${email.url}/__control/reset`, { method: 'POST' });
  });

  it('sends as Resend does: 200 with an id, recorded with its time and its recipients as a list', async () => {
    const response = await send(message);
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const recorded = (await (await fetch(`${email.url}/__control/messages`)).json()) as RecordedEmail[];
    expect(recorded).toMatchObject([{ id, to: ['oncall@acme.com'], subject: 'Dead deliveries', text: 'x' }]);
    expect(recorded[0]!.at).toBeGreaterThan(0);
  });

  it.each([
    [null, 401, 'missing_api_key'],
    ['Bearer ', 401, 'missing_api_key'],
    ['Bearer re_wrong', 403, 'invalid_api_key'],
  ])('refuses the authorization %j with %i %s', async (authorization, status, name) => {
    const response = await send(message, authorization);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ statusCode: status, name, message: expect.any(String) });
  });

  it.each([
    [{ ...message, to: undefined }, 'missing_required_field'],
    [{ ...message, subject: '' }, 'missing_required_field'],
    [{ ...message, text: undefined }, 'validation_error'],
    [{ ...message, to: ['not an address'] }, 'validation_error'],
    [{ ...message, to: Array.from({ length: 51 }, (_, i) => `a${i}@acme.com`) }, 'validation_error'],
  ])('refuses %j with 422 %s', async (body, name) => {
    const response = await send(body);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ statusCode: 422, name });
    expect(await (await fetch(`${email.url}/__control/messages`)).json()).toEqual([]);
  });

  it('answers scripted 429s with Retry-After, then sends again', async () => {
    await fetch(`${email.url}/__control/fail`, json({ status: 429, times: 1, retryAfter: 3 }));
    const limited = await send(message);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(await limited.json()).toMatchObject({ name: 'rate_limit_exceeded' });
    expect((await send(message)).status).toBe(200);
  });
});
