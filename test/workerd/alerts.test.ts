// Alerts through the real pipeline to the fake Slack and the fake email API on 127.0.0.1: each
// kind posted with its content and the lead masked; a 1,000-failure burst as a handful of
// messages; summaries and recoveries; the signed Replay button (and a forged or unlisted click
// refused); a Slack outage that delays alerts but loses none and never touches a lead.
import { env } from 'cloudflare:workers';
import { describe, expect, inject, it } from 'vitest';
import { maintainAlerts } from '../../src/alerts/maintain';
import { raiseInto } from '../../src/alerts/raise';
import { sendAlerts } from '../../src/alerts/send';
import { hmac, toHex, utf8 } from '../../src/verify/crypto';
import { TEST_ADMIN_TOKEN, TEST_DEMO_SECRET, TEST_EMAIL_TOKEN, TEST_SLACK_SIGNING_SECRET } from '../secrets';
import { call, crmScript, postDemo, postLead, uniqueEmail, waitForStatus } from './helpers';

interface SlackMessage {
  at: number;
  text: string | null;
  blocks: unknown[];
}

const slack = () => inject('slackUrl');
const slackMessages = async (): Promise<SlackMessage[]> =>
  (await fetch(`${slack()}/__control/messages`)).json();
const slackResponses = async (): Promise<
  { replaceOriginal: boolean; responseType: string | null; text: string | null }[]
> => (await fetch(`${slack()}/__control/responses`)).json();
const emails = async (): Promise<{ subject: string; text: string }[]> =>
  (await fetch(`${inject('emailUrl')}/__control/messages`)).json();

/** Messages (Slack) that mention `needle` anywhere, text or blocks. */
async function mentioning(needle: string): Promise<SlackMessage[]> {
  return (await slackMessages()).filter((m) => JSON.stringify(m).includes(needle));
}

async function until<T>(get: () => Promise<T>, ready: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (ready(value)) return value;
    if (Date.now() > deadline) throw new Error(`never ready: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The replay button's group id in a message. */
function replayButton(message: SlackMessage): { value: string; text: string } | undefined {
  for (const block of message.blocks as {
    type: string;
    elements?: { action_id?: string; value?: string; text?: { text: string } }[];
  }[]) {
    const button = block.elements?.find((element) => element.action_id === 'inlet_replay');
    if (button?.value) return { value: button.value, text: button.text?.text ?? '' };
  }
  return undefined;
}

async function slackClick(groupId: string, user: string, secret = TEST_SLACK_SIGNING_SECRET) {
  const { url: responseUrl } = await (
    await fetch(`${slack()}/__control/response-url`, { method: 'POST' })
  ).json<{ url: string }>();
  const payload = {
    type: 'block_actions',
    user: { id: user },
    response_url: responseUrl,
    actions: [{ action_id: 'inlet_replay', value: groupId, type: 'button' }],
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${toHex(await hmac('SHA-256', utf8(secret), utf8(`v0:${ts}:${body}`)))}`;
  return call('/slack/interactions', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': signature,
    },
    body,
  });
}

describe('a lead the CRM refuses', () => {
  it('is posted to Slack at once with what to act on, the lead masked, and a replay button that works', async () => {
    const email = uniqueEmail('refusedalert');
    await crmScript(email, [{ status: 422 }]);
    const response = await postDemo({ email, phone: '+44 20 7946 0958', first_name: 'Refused' });
    const { id } = await response.json<{ id: string }>();
    expect((await waitForStatus(id, ['dead'])).status).toBe('dead');

    const [message] = await until(
      () => mentioning(id),
      (m) => m.length > 0,
    );
    const all = JSON.stringify(message);
    expect(message?.text).toMatch(
      /^Refused deliveries from demo to crm \(client_error, HTTP 422\): 1 so far\./,
    );
    expect(all).toContain(id);
    expect(all).toContain('https://inlet.test/admin/events');
    expect(all).toMatch(/r\*\*\*@example\.com/);
    expect(all).toContain('+44 ******* 958');
    expect(all).not.toContain(email);
    expect(all).not.toContain('79460958');
    const button = replayButton(message!);
    expect(button?.text).toBe('Replay this event');
    // The email channel takes only dead and paused alerts (test/inlet.config.ts).
    expect((await emails()).some((m) => m.text.includes(id))).toBe(false);

    // A forged click and a click by someone not on the list replay nothing.
    expect((await slackClick(button!.value, 'U0ONCALL01', 'wrong-secret')).status).toBe(401);
    expect((await slackClick(button!.value, 'U0STRANGER')).status).toBe(200);
    await until(slackResponses, (r) =>
      r.some((x) => x.responseType === 'ephemeral' && /not allowed/.test(x.text ?? '')),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await waitForStatus(id, ['dead'])).status).toBe('dead');

    // The on-call person clicks: the CRM takes it now (its script is used up), and the message says so.
    expect((await slackClick(button!.value, 'U0ONCALL01')).status).toBe(200);
    expect((await waitForStatus(id, ['delivered'])).status).toBe('delivered');
    await until(slackResponses, (r) =>
      r.some((x) => x.replaceOriginal && /Replayed 1 events/.test(x.text ?? '')),
    );
  });
});

describe('a burst of 1,000 failures', () => {
  it('is one message, then one summary per window, then a recovery: never a flood', async () => {
    const destination = `burst-${Date.now()}`;
    const now = Date.now();
    for (let i = 0; i < 1000; i += 100) {
      const statements: D1PreparedStatement[] = [];
      for (let j = i; j < i + 100; j++) {
        const alert = {
          kind: 'refused' as const,
          source: 'demo',
          destination,
          errorClass: 'client_error',
          eventId: `evt_burst_${j}`,
          sample: { eventId: `evt_burst_${j}`, httpStatus: 400, reason: 'HTTP 400' },
        };
        raiseInto(statements, env.DB, alert, now);
      }
      await env.DB.batch(statements);
    }
    await sendAlerts(env, now);
    const opened = await until(
      () => mentioning(destination),
      (m) => m.length >= 1,
    );
    expect(opened).toHaveLength(1);

    // A window later, with more failures meanwhile: one summary.
    const more: D1PreparedStatement[] = [];
    const late = { kind: 'refused' as const, source: 'demo', destination, errorClass: 'client_error' };
    raiseInto(more, env.DB, { ...late, eventId: 'evt_burst_late' }, now + 30_000);
    await env.DB.batch(more);
    await maintainAlerts(env, now + 61_000);
    await sendAlerts(env, now + 61_000);
    const summarised = await until(
      () => mentioning(destination),
      (m) => m.length >= 2,
    );
    expect(summarised[1]?.text).toMatch(/1000 more since \d\d:\d\d UTC \(1001 in all\)/);

    // Quiet for a whole window: the group closes with a recovery.
    await maintainAlerts(env, now + 200_000);
    await sendAlerts(env, now + 200_000);
    const all = await until(
      () => mentioning(destination),
      (m) => m.length >= 3,
    );
    expect(all[2]?.text).toMatch(/resolved after 1001 failures/);
    await maintainAlerts(env, now + 400_000);
    await sendAlerts(env, now + 400_000);
    expect(await mentioning(destination)).toHaveLength(3);

    const group = await env.DB.prepare(`SELECT status, count FROM alert_groups WHERE destination = ?1`)
      .bind(destination)
      .first();
    expect(group).toEqual({ status: 'closed', count: 1001 });
  });
});

describe('the other kinds', () => {
  it('a destination paused by its configuration: alerted (Slack and email), and recovered on resume', async () => {
    const id = await postLead('t-unset', { email: uniqueEmail('unset') });
    await until(
      () => mentioning('webhook-unset'),
      (m) => m.some((x) => /^Paused destination webhook-unset \(config_error/.test(x.text ?? '')),
    );
    const mail = await until(emails, (m) => m.some((x) => x.subject.includes('webhook-unset')));
    expect(mail.find((x) => x.subject.includes('webhook-unset'))?.text).toContain(
      'TEST_UNSET_URL is not set',
    );
    void id;
    const resumed = await call('/admin/destinations/webhook-unset/resume', {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(resumed.status).toBe(200);
    await until(
      () => mentioning('webhook-unset'),
      (m) => m.some((x) => /destination resumed/.test(x.text ?? '')),
    );
  });

  it('invalid leads from one source above the threshold: one alert for the burst', async () => {
    for (let i = 0; i < 4; i++) {
      const response = await postDemo(
        { email: `not an email ${i}`, first_name: 'Bad' },
        { source: 't-invalid' },
      );
      await waitForStatus((await response.json<{ id: string }>()).id, ['invalid']);
    }
    const messages = await until(
      () => mentioning('t-invalid'),
      (m) => m.some((x) => /^Invalid leads from t-invalid/.test(x.text ?? '')),
    );
    expect(messages.filter((x) => /^Invalid leads from t-invalid/.test(x.text ?? ''))).toHaveLength(1);
    expect(messages[0]?.text).toMatch(/3 so far|4 so far/);
  });

  it('verification failures on one source: counted without a write per request, alerted once', async () => {
    const body = JSON.stringify({ email: uniqueEmail('forged') });
    for (let i = 0; i < 6; i++) {
      const response = await postDemo(JSON.parse(body), {
        source: 't-verif',
        secret: 'whsec_d3Jvbmctc2VjcmV0LWZvci12ZXJpZg==',
      });
      expect(response.status).toBe(401);
    }
    const messages = await until(
      () => mentioning('t-verif'),
      (m) => m.some((x) => /^Verification failures on t-verif/.test(x.text ?? '')),
      20_000,
    );
    expect(messages.filter((x) => /^Verification failures on t-verif/.test(x.text ?? ''))).toHaveLength(1);
  }, 30_000);
});

describe('a Slack outage', () => {
  it('delays alerts without losing one, honours Retry-After, and never touches a lead', async () => {
    await fetch(`${slack()}/__control/fail`, {
      method: 'POST',
      body: JSON.stringify({ status: 503, times: 2 }),
    });
    const destination = `outage-${Date.now()}`;
    const alert = {
      kind: 'dead' as const,
      source: 'demo',
      destination,
      errorClass: 'server_error',
      eventId: 'evt_outage',
    };
    const statements: D1PreparedStatement[] = [];
    const now = Date.now();
    raiseInto(statements, env.DB, alert, now, ['oncall']);
    await env.DB.batch(statements);

    expect(await sendAlerts(env, now)).toMatchObject({ waiting: 1 });
    const row = await env.DB.prepare(
      `SELECT attempts, next_at, last_error FROM alert_outbox o JOIN alert_groups g ON g.id = o.group_id WHERE g.destination = ?1`,
    )
      .bind(destination)
      .first<{ attempts: number; next_at: number; last_error: string }>();
    expect(row).toMatchObject({ attempts: 1, last_error: 'HTTP 503' });
    expect(row!.next_at).toBeGreaterThan(now);
    // Meanwhile leads are delivered as ever.
    const lead = await postDemo({ email: uniqueEmail('duringoutage') });
    expect((await waitForStatus((await lead.json<{ id: string }>()).id, ['delivered'])).status).toBe(
      'delivered',
    );

    await sendAlerts(env, now + 3_600_000);
    await fetch(`${slack()}/__control/fail`, {
      method: 'POST',
      body: JSON.stringify({ status: 429, times: 1, retryAfter: 120 }),
    });
    await sendAlerts(env, now + 7_200_000);
    const held = await env.DB.prepare(
      `SELECT next_at FROM alert_outbox o JOIN alert_groups g ON g.id = o.group_id WHERE g.destination = ?1`,
    )
      .bind(destination)
      .first<{ next_at: number }>();
    // Slack said 120 s; we come back no sooner.
    expect(held?.next_at ?? 0).toBeGreaterThanOrEqual(Date.now() + 110_000);
    await sendAlerts(env, now + 9_000_000);
    const posted = await until(
      () => mentioning(destination),
      (m) => m.length >= 1,
    );
    expect(posted).toHaveLength(1);
    expect(
      await env.DB.prepare(
        `SELECT count(*) AS n FROM alert_outbox o JOIN alert_groups g ON g.id = o.group_id WHERE g.destination = ?1`,
      )
        .bind(destination)
        .first(),
    ).toEqual({ n: 0 });
  });
});

describe('alert content', () => {
  it('carries no secret, token, full email or phone in any message of this file', async () => {
    const forbidden = [
      TEST_DEMO_SECRET,
      TEST_SLACK_SIGNING_SECRET,
      TEST_EMAIL_TOKEN,
      TEST_ADMIN_TOKEN,
      '79460958',
      'not an email',
    ];
    const everything = JSON.stringify([await slackMessages(), await emails(), await slackResponses()]);
    for (const needle of forbidden) expect(everything, `leaked ${needle}`).not.toContain(needle);
    // No email address but masked ones.
    for (const address of everything.match(/[a-z0-9.+_-]+@[a-z0-9.-]+\.[a-z]{2,}/gi) ?? [])
      expect(address, address).toMatch(/^(?:[a-z0-9]\*\*\*@|alerts@inlet\.test|oncall@example\.com)/i);
  });
});
