import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emailMessage, REPLAY_ACTION_ID, slackMessage } from '../../../src/alerts/format';
import { maskEmail, maskPhone } from '../../../src/alerts/mask';
import {
  ALERT_KINDS,
  type AlertGroupView,
  type AlertKind,
  type AlertMessageKind,
  type AlertSample,
} from '../../../src/alerts/types';
import { validBlocks } from '../../servers/slack';

const links = { adminBaseUrl: 'https://inlet.example.workers.dev' };
const T0 = Date.UTC(2025, 2, 1, 10, 0, 0);
const NOW = T0 + 25 * 60_000;
const MESSAGE_KINDS: readonly AlertMessageKind[] = ['opened', 'summary', 'recovered'];

const sample: AlertSample = {
  eventId: 'evt_01',
  maskedEmail: 'j***@acme.com',
  maskedPhone: '+44 ******* 456',
  httpStatus: 503,
  reason: 'HTTP 503',
  attempts: 9,
};

function view(overrides: Partial<AlertGroupView> = {}): AlertGroupView {
  return {
    id: 'alg_01',
    kind: 'dead',
    source: 'typeform',
    destination: 'hubspot',
    errorClass: 'server_error',
    count: 1,
    toldCount: 0,
    firstAt: T0,
    lastAt: T0 + 20 * 60_000,
    sinceAt: T0 + 2 * 60_000,
    sample,
    replayableCount: 1,
    ...overrides,
  };
}

/** Every string a Slack message carries, from the fallback to the button's confirm dialog. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

type Block = { type: string; elements?: Record<string, unknown>[]; text?: { text: string } };
const buttons = (blocks: unknown[]) =>
  (blocks as Block[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);

describe('slackMessage text fallback', () => {
  const byKind: Record<AlertKind, [Partial<AlertGroupView>, string]> = {
    dead: [
      {},
      'Dead deliveries from typeform to hubspot (server_error, HTTP 503): 1 so far.\n' +
        '*hubspot* kept failing until the attempts ran out: once it answers again (see ' +
        '<https://inlet.example.workers.dev/admin/destinations|/admin/destinations>), replay these events.',
    ],
    refused: [
      {
        kind: 'refused',
        errorClass: 'client_error',
        sample: { ...sample, httpStatus: 400, reason: 'HTTP 400 VALIDATION_ERROR INVALID_EMAIL (email)' },
      },
      'Refused deliveries from typeform to hubspot (client_error, HTTP 400 VALIDATION_ERROR INVALID_EMAIL (email)): 1 so far.\n' +
        'Read the reason: fix the lead at *typeform* or its mapping (or the field rule at *hubspot*), then replay these events. Replayed unchanged, they are refused again.',
    ],
    paused: [
      {
        kind: 'paused',
        source: null,
        errorClass: 'config_error',
        sample: { ...sample, httpStatus: 401, reason: 'HTTP 401 INVALID_AUTHENTICATION' },
      },
      'Paused destination hubspot (config_error, HTTP 401 INVALID_AUTHENTICATION): 1 so far.\n' +
        'Fix `DESTINATION_HUBSPOT_TOKEN` (the credential inlet.config.ts names for it): a revoked or expired token looks like this. The destination resumes by itself once a probe succeeds.',
    ],
    invalid_burst: [
      {
        kind: 'invalid_burst',
        destination: null,
        errorClass: null,
        sample: null,
        replayableCount: 0,
        count: 25,
      },
      'Invalid leads from typeform: 25 so far.\n' +
        'Compare the mapping of *typeform* with a recent payload (<https://inlet.example.workers.dev/admin/events?status=invalid&amp;source=typeform|invalid events>): a changed form or sender looks like this. Once it is fixed, replay them (command below).',
    ],
    verification_burst: [
      { kind: 'verification_burst', destination: null, errorClass: null, sample: null, replayableCount: 0 },
      'Verification failures on typeform: 1 so far.\n' +
        "Check the source's secret: a rotated secret looks like this. Set `SOURCE_TYPEFORM_SECRET` (or the var its secretVar names) to the provider's current secret.",
    ],
    backlog: [
      { kind: 'backlog', source: null, errorClass: null, sample: null, replayableCount: 0 },
      'Backlog of deliveries to hubspot: 1 so far.\n' +
        'Check <https://inlet.example.workers.dev/admin/destinations|/admin/destinations> for a paused or rate-limited destination. If none is, leads arrive faster than *hubspot* takes them: the backlog drains as the rate falls.',
    ],
  };

  it.each(ALERT_KINDS)('says what happened to a %s group, and what to do', (kind) => {
    const [overrides, text] = byKind[kind];
    expect(slackMessage('opened', view(overrides), links, NOW).text).toBe(text);
  });

  it('counts a summary since the previous message', () => {
    const text = slackMessage('summary', view({ count: 412, toldCount: 12 }), links, NOW).text;
    expect(text.split('\n')[0]).toBe(
      'Dead deliveries from typeform to hubspot (server_error, HTTP 503): 400 more since 10:02 UTC (412 in all).',
    );
  });

  it('closes a group with the failures it had, or the destination resumed', () => {
    expect(slackMessage('recovered', view({ count: 412, toldCount: 412 }), links, NOW).text).toBe(
      'Dead deliveries from typeform to hubspot (server_error, HTTP 503): resolved after 412 failures.\n' +
        'Nothing more, unless the event below still needs a replay.',
    );
    expect(slackMessage('recovered', view({ count: 1 }), links, NOW).text.split('\n')[0]).toMatch(
      /: resolved after 1 failure\.$/,
    );
    const paused = view({ kind: 'paused', source: null, errorClass: 'server_error', replayableCount: 0 });
    expect(slackMessage('recovered', paused, links, NOW).text).toBe(
      'Paused destination hubspot (server_error, HTTP 503): destination resumed.\nNothing to do.',
    );
  });

  it('names the var to fix from the destination name, and says an outage needs no fix', () => {
    const paused = (errorClass: string, httpStatus: number) =>
      slackMessage(
        'opened',
        view({ kind: 'paused', destination: 'crm-eu', errorClass, sample: { ...sample, httpStatus } }),
        links,
        NOW,
      ).text;
    expect(paused('config_error', 403)).toContain('Fix `DESTINATION_CRM_EU_TOKEN`');
    expect(paused('config_error', 404)).toContain('the URL in `DESTINATION_CRM_EU_URL`');
    expect(paused('server_error', 503)).toContain(
      '*crm-eu* is failing on its side: check its status. Nothing to change in Inlet',
    );
  });

  it('says "no answer" when the destination never answered', () => {
    const message = slackMessage(
      'opened',
      view({ errorClass: 'timeout', sample: { eventId: 'evt_01', httpStatus: null } }),
      links,
      NOW,
    );
    expect(message.text.split('\n')[0]).toBe('Dead deliveries from typeform to hubspot (timeout): 1 so far.');
    expect(strings(message.blocks)).toContain('*HTTP status*\nnone (no answer)');
  });
});

describe('slackMessage blocks', () => {
  it('is Block Kit Slack accepts, for every kind and message kind', () => {
    for (const kind of ALERT_KINDS)
      for (const messageKind of MESSAGE_KINDS) {
        const message = slackMessage(messageKind, view({ kind, count: 3, toldCount: 1 }), links, NOW);
        expect(validBlocks(message.blocks), `${kind} ${messageKind}`).toBe(true);
        expect(message.blocks.length).toBeLessThanOrEqual(50);
      }
  });

  it('carries the facts an on-call person acts on', () => {
    const texts = strings(slackMessage('opened', view(), links, NOW).blocks);
    for (const expected of [
      '*Source*\n`typeform`',
      '*Destination*\n`hubspot`',
      '*Error class*\n`server_error`',
      '*HTTP status*\n503',
      '*Reason*\n`HTTP 503`',
      '*Attempts*\n9',
      '*First*\n2025-03-01T10:00:00Z',
      '*Last*\n2025-03-01T10:20:00Z',
      '*Sample event*\n<https://inlet.example.workers.dev/admin/events/evt_01|evt_01>',
      '*Lead*\nj***@acme.com · +44 ******* 456',
    ])
      expect(texts).toContain(expected);
    const all = texts.join('\n');
    expect(all).toContain('<https://inlet.example.workers.dev/admin/events?status=dead&amp;source=typeform|');
    expect(all).toContain(
      '```curl -X POST -H "authorization: Bearer $ADMIN_TOKEN" https://inlet.example.workers.dev/admin/alerts/alg_01/replay```',
    );
    expect(all).toContain('Inlet alert alg_01 · open for 25 min · sent 2025-03-01T10:25:00Z');
  });

  it.each([
    ['dead', 1, 'Replay this event'],
    ['refused', 12, 'Replay these 12 events'],
    ['paused', 3, 'Replay these 3 events'],
  ] as const)(
    'offers a replay button on a %s group with events to replay',
    (kind, replayableCount, label) => {
      for (const messageKind of MESSAGE_KINDS) {
        const [button, ...more] = buttons(
          slackMessage(messageKind, view({ kind, replayableCount }), links, NOW).blocks,
        );
        expect(more).toEqual([]);
        expect(button).toMatchObject({
          type: 'button',
          action_id: REPLAY_ACTION_ID,
          value: 'alg_01',
          style: 'primary',
          text: { type: 'plain_text', text: label },
          confirm: {
            title: { type: 'plain_text' },
            text: { type: 'plain_text' },
            confirm: { type: 'plain_text', text: 'Replay' },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        });
      }
      expect(REPLAY_ACTION_ID).toBe('inlet_replay');
    },
  );

  it('offers no button when there is nothing to replay, or the kind is not replayed', () => {
    for (const kind of ALERT_KINDS)
      for (const replayableCount of [0, 5]) {
        const has = buttons(
          slackMessage('opened', view({ kind, replayableCount }), links, NOW).blocks,
        ).length;
        expect(has, `${kind} ${replayableCount}`).toBe(
          ['dead', 'refused', 'paused'].includes(kind) && replayableCount > 0 ? 1 : 0,
        );
      }
    const all = strings(slackMessage('opened', view({ replayableCount: 0 }), links, NOW)).join('\n');
    expect(all).not.toContain('/admin/alerts/');
  });

  it('escapes &, < and > in every interpolated value', () => {
    const hostile = view({
      id: 'alg_<!channel>',
      source: 'a&b<https://evil.example|click>',
      destination: '<@U123>',
      errorClass: '<!here>',
      sample: { eventId: 'evt_<x>', reason: 'HTTP 400 <b>&', httpStatus: 400, maskedEmail: 'j***@acme.com' },
    });
    for (const messageKind of MESSAGE_KINDS) {
      const message = slackMessage(messageKind, hostile, links, NOW);
      // The button's value is the id the interactivity handler looks up, never shown: kept exact.
      const [button] = buttons(message.blocks);
      expect(button?.value).toBe('alg_<!channel>');
      for (const text of strings({
        ...message,
        blocks: message.blocks.filter((b) => (b as Block).type !== 'actions'),
      })) {
        // Any `<` left is one of ours: a link to the admin URL, never a mention or a foreign link.
        for (const match of text.matchAll(/<([^>]*)>/g))
          expect(match[1]).toMatch(/^https:\/\/inlet\.example\.workers\.dev\//);
        expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
      }
      const all = strings({
        ...message,
        blocks: message.blocks.filter((b) => (b as Block).type !== 'actions'),
      }).join('\n');
      expect(all).toContain('a&amp;b&lt;https://evil.example|click&gt;');
      expect(all).toContain('&lt;@U123&gt;');
      expect(all).not.toContain('<!here>');
      expect(all).not.toContain('<!channel>');
    }
  });

  it('keeps within Block Kit limits whatever the values', () => {
    const long = 'x'.repeat(5000);
    const message = slackMessage(
      'summary',
      view({ source: long, destination: long, errorClass: long, sample: { eventId: long, reason: long } }),
      links,
      NOW,
    );
    expect(validBlocks(message.blocks)).toBe(true);
    expect(message.text.length).toBeLessThanOrEqual(3000);
  });

  it('is total on dates it cannot show', () => {
    const message = slackMessage('summary', view({ firstAt: Number.NaN, sinceAt: 1e20 }), links, NOW);
    expect(message.text).toContain('since unknown');
    expect(strings(message.blocks)).toContain('*First*\nunknown');
  });
});

describe('emailMessage', () => {
  it('has a one-line subject, and the same content as text and HTML', () => {
    const email = emailMessage(
      'summary',
      view({ count: 412, toldCount: 12, replayableCount: 3 }),
      links,
      NOW,
    );
    expect(email.subject).toBe(
      '[Inlet] Dead deliveries from typeform to hubspot: 400 more since 10:02 UTC (412 in all)',
    );
    expect(email.text).toContain('Dead deliveries from typeform to hubspot (server_error, HTTP 503)\n');
    expect(email.text).toContain('Source: typeform\nDestination: hubspot\nError class: server_error\n');
    expect(email.text).toContain('Lead: j***@acme.com · +44 ******* 456');
    expect(email.text).toContain(
      'Dead events from typeform (https://inlet.example.workers.dev/admin/events?status=dead&source=typeform)',
    );
    expect(email.text).toContain(
      'Replay these 3 events:\n  curl -X POST -H "authorization: Bearer $ADMIN_TOKEN" https://inlet.example.workers.dev/admin/alerts/alg_01/replay',
    );
    expect(email.html).toContain('<h2>Dead deliveries from typeform to hubspot</h2>');
    expect(email.html).toContain(
      '<a href="https://inlet.example.workers.dev/admin/events?status=dead&amp;source=typeform">',
    );
    expect(email.html).toContain('<pre>curl -X POST -H &quot;authorization: Bearer $ADMIN_TOKEN&quot;');
  });

  it('escapes HTML in every value', () => {
    const email = emailMessage(
      'opened',
      view({ source: '<script>x</script>', destination: '"&' }),
      links,
      NOW,
    );
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;');
    expect(email.subject).not.toMatch(/[\r\n]/);
  });

  it('marks a recovery in the heading', () => {
    const email = emailMessage('recovered', view({ kind: 'paused', replayableCount: 0 }), links, NOW);
    expect(email.subject).toBe('[Inlet] Paused destination hubspot: destination resumed');
    expect(email.html).toContain('<h2>Resolved: paused destination hubspot</h2>');
    expect(email.text).toContain('Inlet alert alg_01 · lasted 25 min');
  });
});

describe('no unmasked lead in any output', () => {
  const rawEmail = fc.emailAddress().filter((email) => email.split('@')[0]!.length >= 2);
  // National numbers of 7 digits and more: a run that long appears nowhere else in a message.
  const rawPhone = fc.stringMatching(/^\+(1|33|44|49|61)[2-9]\d{6,9}$/);

  it('holds for views built from a lead masked with the mask functions', () => {
    fc.assert(
      fc.property(
        rawEmail,
        rawPhone,
        fc.constantFrom(...ALERT_KINDS),
        fc.constantFrom(...MESSAGE_KINDS),
        fc.boolean(),
        (email, phone, kind, messageKind, careless) => {
          const lead: AlertSample = careless
            ? // A caller that forgot to mask: the formatter masks again.
              { eventId: 'evt_01', maskedEmail: email, maskedPhone: phone }
            : { eventId: 'evt_01', maskedEmail: maskEmail(email), maskedPhone: maskPhone(phone) };
          const group = view({ kind, sample: lead, count: 3, toldCount: 1 });
          const outputs = [
            JSON.stringify(slackMessage(messageKind, group, links, NOW)),
            ...Object.values(emailMessage(messageKind, group, links, NOW)),
          ];
          const local = email.slice(0, email.lastIndexOf('@'));
          for (const output of outputs) {
            expect(output).not.toContain(email);
            expect(output).not.toContain(`${local}@`);
            expect(output).not.toContain(phone);
            expect(output).not.toContain(phone.slice(-7));
          }
        },
      ),
    );
  });
});

describe('a paused destination names its own credential', () => {
  it('the secret inlet.config.ts reads for it, when the alert knows it', () => {
    const paused = view({
      kind: 'paused',
      source: null,
      destination: 'crm',
      errorClass: 'config_error',
      sample: { eventId: 'evt_1', httpStatus: 401, reason: 'HTTP 401', credentialVar: 'DESTINATION_SECRET' },
    });
    expect(slackMessage('opened', paused, links, NOW).text).toContain('Fix `DESTINATION_SECRET`');
  });
});
