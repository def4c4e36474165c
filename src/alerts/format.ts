/**
 * The words of an alert: one group view as a Slack Block Kit message and as an email, with what an
 * on-call person acts on — what happened in plain words, where, the codes, the counts, what to do
 * and how to replay. Pure: no clock but the `nowMs` passed in, and nothing beyond the view's fields
 * (ids, codes, counts, the lead as the sample masked it): never a payload, a header or a secret.
 *
 * Both renderings come from one content model, so Slack and email cannot drift apart; only the
 * markup differs (Slack mrkdwn with `&`, `<` and `>` escaped, plain text, HTML).
 */
import { varFor } from '../config/schema';
import { isMaskedPhone, MASKED, maskEmail, maskPhone } from './mask';
import type {
  AlertGroupView,
  AlertKind,
  AlertLinks,
  AlertMessageKind,
  EmailMessage,
  SlackMessage,
} from './types';

/** Kinds whose events an operator replays from the message (the button and the bulk command). */
export const REPLAYABLE_KINDS: ReadonlySet<AlertKind> = new Set<AlertKind>(['dead', 'refused', 'paused']);

/** The `action_id` of the replay button: the interactivity handler matches on it. */
export const REPLAY_ACTION_ID = 'inlet_replay';

// Error classes of a destination that failed on its side: nothing in Inlet to fix, only to wait.
// `outage` is how a circuit that opened after a run of such failures names its pause.
const OUTAGE_CLASSES = new Set([
  'network',
  'timeout',
  'request_timeout',
  'server_error',
  'rate_limited',
  'outage',
]);
// Any single value this long is an anomaly (names, ids and reason codes are short); clipping keeps
// every block within Block Kit's limits whatever a caller passes.
const MAX_VALUE = 200;

type Inline = string | { bold: string } | { code: string } | { link: string; href: string };
type Line = readonly Inline[];

interface Fact {
  label: string;
  value: Line;
}

interface Command {
  label: string;
  command: string;
}

interface Content {
  emoji: string;
  /** Plain words, one line: the subject and the fallback start with it. */
  headline: string;
  /** The header: the headline, marked `Resolved:` on a recovery. */
  title: string;
  /** ` (server_error, HTTP 503)`, or empty. */
  detail: string;
  what: Line;
  count: string;
  facts: Fact[];
  todo: Line;
  links: Line | null;
  commands: Command[];
  replay: { count: number; groupId: string; destination: string } | null;
  footer: string;
}

const clip = (value: string, max = MAX_VALUE): string =>
  value.length > max ? `${value.slice(0, max - 1)}…` : value;
const bold = (text: string): Inline => ({ bold: clip(text) });
const code = (text: string): Inline => ({ code: clip(text) });
const link = (text: string, href: string): Inline => ({ link: clip(text), href });
const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
const theseEvents = (n: number): string => (n === 1 ? 'this event' : `these ${n} events`);

const iso = (ms: number): string =>
  Number.isFinite(ms) && Math.abs(ms) <= 8.64e15
    ? new Date(ms).toISOString().replace('.000Z', 'Z')
    : 'unknown';
const hhmm = (ms: number): string => {
  const text = iso(ms);
  return text === 'unknown' ? text : `${text.slice(11, 16)} UTC`;
};

function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 60_000) return 'under a minute';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} days`;
}

// A path segment or query value as it may sit unquoted in a shell command and inside a Slack link:
// encodeURIComponent leaves `'`, `(`, `)`, `*` and `!` as they are, which a shell would read.
const segment = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const NOUNS: Record<AlertKind, (src: string, dst: string) => string> = {
  dead: (src, dst) => `Dead deliveries from ${src} to ${dst}`,
  refused: (src, dst) => `Refused deliveries from ${src} to ${dst}`,
  paused: (_src, dst) => `Paused destination ${dst}`,
  invalid_burst: (src) => `Invalid leads from ${src}`,
  verification_burst: (src) => `Verification failures on ${src}`,
  backlog: (_src, dst) => `Backlog of deliveries to ${dst}`,
};

const EMOJI: Record<AlertKind, string> = {
  dead: ':rotating_light:',
  refused: ':no_entry:',
  paused: ':double_vertical_bar:',
  invalid_burst: ':warning:',
  verification_burst: ':closed_lock_with_key:',
  backlog: ':hourglass_flowing_sand:',
};

function countLine(kind: AlertMessageKind, group: AlertGroupView): string {
  if (kind === 'opened') return `${group.count} so far`;
  if (kind === 'summary')
    return `${Math.max(0, group.count - group.toldCount)} more since ${hhmm(group.sinceAt)} (${group.count} in all)`;
  return group.kind === 'paused' ? 'destination resumed' : `resolved after ${plural(group.count, 'failure')}`;
}

function whatHappened(kind: AlertMessageKind, group: AlertGroupView, src: string, dst: string): Line {
  const errorClass = group.errorClass ?? 'unknown';
  if (kind === 'recovered') {
    if (group.kind === 'paused')
      return [bold(dst), ' answered a probe and resumed: its waiting deliveries are going out again.'];
    if (group.kind === 'backlog') return ['The backlog of deliveries to ', bold(dst), ' drained.'];
    return ['No new failure of this kind for a whole window.'];
  }
  switch (group.kind) {
    case 'dead':
      return [
        'Leads from ',
        bold(src),
        ' could not be delivered to ',
        bold(dst),
        ': each used up its attempts. They are kept, and can be replayed once the cause is fixed.',
      ];
    case 'refused':
      return [
        bold(dst),
        ' refused leads from ',
        bold(src),
        ': its validation rejected them, so they are dead at once (retrying them as they are cannot help).',
      ];
    case 'paused':
      return OUTAGE_CLASSES.has(errorClass)
        ? [
            'Inlet paused deliveries to ',
            bold(dst),
            ' after failures in a row (',
            code(errorClass),
            '): it looks down. Its deliveries wait, using up no attempts.',
          ]
        : [
            'Inlet paused deliveries to ',
            bold(dst),
            ': every lead would fail the same way (',
            code(errorClass),
            '). Its deliveries wait, using up no attempts.',
          ];
    case 'invalid_burst':
      return [
        'More leads from ',
        bold(src),
        ' than the threshold are invalid (no valid contact, or the mapping failed): its mapping or the sender broke. They are kept as ',
        code('invalid'),
        '.',
      ];
    case 'verification_burst':
      return [
        'More requests to ',
        bold(src),
        ' than the threshold fail verification: they are refused with 401.',
      ];
    case 'backlog':
      return [
        'Deliveries to ',
        bold(dst),
        ' wait longer than the threshold: the backlog grows faster than it drains.',
      ];
  }
}

function whatToDo(
  kind: AlertMessageKind,
  group: AlertGroupView,
  src: string,
  dst: string,
  base: string,
): Line {
  if (kind === 'recovered')
    return REPLAYABLE_KINDS.has(group.kind) && group.replayableCount > 0
      ? [
          group.replayableCount === 1
            ? 'Nothing more, unless the event below still needs a replay.'
            : `Nothing more, unless the ${group.replayableCount} events below still need a replay.`,
        ]
      : ['Nothing to do.'];
  const errorClass = group.errorClass ?? '';
  const status = group.sample?.httpStatus;
  const destinations = link('/admin/destinations', `${base}/admin/destinations`);
  const configFix = (): Line =>
    status === 401 || status === 403
      ? [
          'Fix ',
          code(group.sample?.credentialVar ?? varName('DESTINATION', group.destination, 'TOKEN')),
          ' (the credential inlet.config.ts names for it): a revoked or expired token looks like this. The destination resumes by itself once a probe succeeds.',
        ]
      : [
          'Fix the configuration the reason names (a field, a scope, or the URL in ',
          code(varName('DESTINATION', group.destination, 'URL')),
          '): the destination resumes by itself once a probe succeeds.',
        ];
  const refusedFix: Line = [
    'Read the reason: fix the lead at ',
    bold(src),
    ' or its mapping (or the field rule at ',
    bold(dst),
    '), then replay these events. Replayed unchanged, they are refused again.',
  ];
  switch (group.kind) {
    case 'dead':
      if (errorClass === 'client_error') return refusedFix;
      if (errorClass === 'config_error') return configFix();
      if (errorClass === 'lookup_failed')
        return [
          'A lookup before delivery failed (the provider down, or its token needs fixing): fix what the reason names, then replay these events.',
        ];
      if (OUTAGE_CLASSES.has(errorClass))
        return [
          bold(dst),
          ' kept failing until the attempts ran out: once it answers again (see ',
          destinations,
          '), replay these events.',
        ];
      return ['Fix what the reason names, then replay these events.'];
    case 'refused':
      return refusedFix;
    case 'paused':
      if (errorClass === 'config_error') return configFix();
      return [
        bold(dst),
        ' is failing on its side: check its status. Nothing to change in Inlet: its deliveries go out by themselves once a probe succeeds.',
      ];
    case 'invalid_burst':
      return [
        'Compare the mapping of ',
        bold(src),
        ' with a recent payload (',
        link('invalid events', eventsUrl(base, 'invalid', group.source)),
        '): a changed form or sender looks like this. Once it is fixed, replay them (command below).',
      ];
    case 'verification_burst':
      return [
        "Check the source's secret: a rotated secret looks like this. Set ",
        code(varName('SOURCE', group.source, 'SECRET')),
        " (or the var its secretVar names) to the provider's current secret.",
      ];
    case 'backlog':
      return [
        'Check ',
        destinations,
        ' for a paused or rate-limited destination. If none is, leads arrive faster than ',
        bold(dst),
        ' takes them: the backlog drains as the rate falls.',
      ];
  }
}

// The var's name by the config's convention; without a name, the convention itself.
const varName = (prefix: 'SOURCE' | 'DESTINATION', name: string | null, suffix: string): string =>
  name === null ? `${prefix}_<NAME>_${suffix}` : varFor(prefix, name, suffix);

function eventsUrl(base: string, status: string, source: string | null): string {
  return `${base}/admin/events?status=${status}${source === null ? '' : `&source=${segment(source)}`}`;
}

// `"…"`, not `'…'`: the shell expands $ADMIN_TOKEN only inside double quotes.
const AUTH = '-H "authorization: Bearer $ADMIN_TOKEN"';

function content(
  kind: AlertMessageKind,
  group: AlertGroupView,
  alertLinks: AlertLinks,
  nowMs: number,
): Content {
  const base = alertLinks.adminBaseUrl.replace(/\/+$/, '');
  const src = clip(group.source ?? 'an unknown source');
  const dst = clip(group.destination ?? 'an unknown destination');
  const sample = group.sample;
  const noun = NOUNS[group.kind](src, dst);
  // Every noun starts with a fixed English word, never a name, so lower-casing it is safe.
  const title = kind === 'recovered' ? `Resolved: ${noun[0]!.toLowerCase()}${noun.slice(1)}` : noun;
  const reason = sample?.reason ? clip(sample.reason) : undefined;
  const httpStatus = sample?.httpStatus;
  const codes = [
    group.errorClass ? clip(group.errorClass) : undefined,
    reason ?? (typeof httpStatus === 'number' ? `HTTP ${httpStatus}` : undefined),
  ].filter((part) => part !== undefined);

  const facts: Fact[] = [];
  if (group.source !== null) facts.push({ label: 'Source', value: [code(group.source)] });
  if (group.destination !== null) facts.push({ label: 'Destination', value: [code(group.destination)] });
  if (group.errorClass !== null) facts.push({ label: 'Error class', value: [code(group.errorClass)] });
  if (typeof httpStatus === 'number') facts.push({ label: 'HTTP status', value: [String(httpStatus)] });
  else if (httpStatus === null) facts.push({ label: 'HTTP status', value: ['none (no answer)'] });
  if (reason) facts.push({ label: 'Reason', value: [code(reason)] });
  if (sample?.attempts !== undefined) facts.push({ label: 'Attempts', value: [String(sample.attempts)] });
  facts.push({ label: 'First', value: [iso(group.firstAt)] });
  facts.push({ label: 'Last', value: [iso(group.lastAt)] });
  if (sample?.eventId)
    facts.push({
      label: 'Sample event',
      value: [link(sample.eventId, `${base}/admin/events/${segment(sample.eventId)}`)],
    });
  const lead = [
    // Masked again as a safeguard: a caller that put a raw address here must not post it.
    sample?.maskedEmail ? maskEmail(sample.maskedEmail) : undefined,
    sample?.maskedPhone
      ? isMaskedPhone(sample.maskedPhone)
        ? sample.maskedPhone
        : maskPhone(sample.maskedPhone)
      : undefined,
  ].filter((part) => part !== undefined && part !== MASKED);
  if (lead.length) facts.push({ label: 'Lead', value: [lead.join(' · ')] });

  const replayable = REPLAYABLE_KINDS.has(group.kind) && group.replayableCount > 0;
  const commands: Command[] = [];
  let eventLinks: Line | null = null;
  if (replayable) {
    eventLinks = [
      link(
        group.source === null ? 'Dead events' : `Dead events from ${src}`,
        eventsUrl(base, 'dead', group.source),
      ),
    ];
    if (sample?.eventId)
      eventLinks = [
        ...eventLinks,
        ' · ',
        link('the sample event', `${base}/admin/events/${segment(sample.eventId)}`),
      ];
    commands.push({
      label: `Replay ${theseEvents(group.replayableCount)}`,
      command: `curl -X POST ${AUTH} ${base}/admin/alerts/${segment(group.id)}/replay`,
    });
  }
  if (group.kind === 'paused' && kind !== 'recovered' && group.destination !== null)
    commands.push({
      label: 'Resume now, without waiting for a probe',
      command: `curl -X POST ${AUTH} ${base}/admin/destinations/${segment(group.destination)}/resume`,
    });
  if (group.kind === 'invalid_burst' && kind !== 'recovered') {
    // Source names are URL segments; anything else stays out of a single-quoted shell argument.
    const filter =
      group.source !== null && /^[\w-]+$/.test(group.source)
        ? { status: 'invalid', source: group.source }
        : { status: 'invalid' };
    commands.push({
      label: 'Replay the invalid leads, once the mapping is fixed',
      command: `curl -X POST ${AUTH} -H 'content-type: application/json' -d '${JSON.stringify(filter)}' ${base}/admin/replay`,
    });
  }

  const age = duration(nowMs - group.firstAt);
  return {
    emoji: kind === 'recovered' ? ':white_check_mark:' : EMOJI[group.kind],
    headline: noun,
    title,
    detail: codes.length ? ` (${codes.join(', ')})` : '',
    what: whatHappened(kind, group, src, dst),
    count: countLine(kind, group),
    facts,
    todo: whatToDo(kind, group, src, dst, base),
    links: eventLinks,
    commands,
    replay:
      replayable && group.id.length > 0 && group.id.length <= 2000
        ? { count: group.replayableCount, groupId: group.id, destination: dst }
        : null,
    footer: `Inlet alert ${clip(group.id)} · ${kind === 'recovered' ? 'lasted' : 'open for'} ${age} · sent ${iso(nowMs)}`,
  };
}

// Slack mrkdwn: only these three are control characters (the docs ask for exactly this escaping).
const esc = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
// A `|` would end the URL part of `<url|label>` early.
const escUrl = (href: string): string => esc(href.replaceAll('|', '%7C'));

/** Clips escaped text to a Block Kit limit without cutting an entity (`&amp;`) in half. */
function clipEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).replace(/&[a-z]*$/, '')}…`;
}

const mrkdwn = (line: Line): string =>
  line
    .map((part) => {
      if (typeof part === 'string') return esc(part);
      if ('bold' in part) return `*${esc(part.bold)}*`;
      if ('code' in part) return `\`${esc(part.code)}\``;
      return `<${escUrl(part.href)}|${esc(part.link)}>`;
    })
    .join('');

const plain = (line: Line): string =>
  line
    .map((part) => {
      if (typeof part === 'string') return part;
      if ('bold' in part) return part.bold;
      if ('code' in part) return part.code;
      return `${part.link} (${part.href})`;
    })
    .join('');

const escHtml = (text: string): string =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

const html = (line: Line): string =>
  line
    .map((part) => {
      if (typeof part === 'string') return escHtml(part);
      if ('bold' in part) return `<strong>${escHtml(part.bold)}</strong>`;
      if ('code' in part) return `<code>${escHtml(part.code)}</code>`;
      return `<a href="${escHtml(part.href)}">${escHtml(part.link)}</a>`;
    })
    .join('');

const mrkdwnText = (text: string, max = 3000) => ({ type: 'mrkdwn', text: clipEscaped(text, max) });

/**
 * The Slack incoming-webhook body for one message of a group: a header, what happened with the
 * count, the facts as fields, what to do, the replay links and commands, a replay button (for
 * dead, refused and paused groups with events to replay) and a context line. `text` is the
 * notification fallback: the headline with its codes and the count, then what to do.
 */
export function slackMessage(
  kind: AlertMessageKind,
  group: AlertGroupView,
  links: AlertLinks,
  nowMs: number,
): SlackMessage {
  const c = content(kind, group, links, nowMs);
  const blocks: unknown[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clipEscaped(esc(`${c.emoji} ${c.title}`), 150), emoji: true },
    },
    { type: 'section', text: mrkdwnText(`${mrkdwn(c.what)}\n*${esc(c.count)}*`) },
  ];
  // Block Kit takes at most 10 fields per section.
  for (let i = 0; i < c.facts.length; i += 10)
    blocks.push({
      type: 'section',
      fields: c.facts.slice(i, i + 10).map((f) => mrkdwnText(`*${esc(f.label)}*\n${mrkdwn(f.value)}`, 2000)),
    });
  blocks.push({ type: 'section', text: mrkdwnText(`*What to do*\n${mrkdwn(c.todo)}`) });
  if (c.links || c.commands.length) {
    const parts = [c.links ? mrkdwn(c.links) : ''];
    for (const command of c.commands)
      parts.push(`${esc(command.label)}:\n\`\`\`${esc(command.command)}\`\`\``);
    blocks.push({
      type: 'section',
      text: mrkdwnText(`*Replay and commands*\n${parts.filter(Boolean).join('\n')}`),
    });
  }
  if (c.replay) {
    const n = c.replay.count;
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: REPLAY_ACTION_ID,
          text: { type: 'plain_text', text: `Replay ${theseEvents(n)}`, emoji: false },
          value: c.replay.groupId,
          style: 'primary',
          confirm: {
            title: { type: 'plain_text', text: `Replay ${plural(n, 'event')}?` },
            text: {
              type: 'plain_text',
              text: clipEscaped(
                esc(
                  `Inlet routes ${theseEvents(n)} again and delivers them to ${c.replay.destination}. Fix the cause first, or they fail the same way.`,
                ),
                300,
              ),
            },
            confirm: { type: 'plain_text', text: 'Replay' },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        },
      ],
    });
  }
  blocks.push({ type: 'context', elements: [mrkdwnText(esc(c.footer))] });
  const text = `${esc(c.headline + c.detail)}: ${esc(c.count)}.\n${mrkdwn(c.todo)}`;
  return { text: clipEscaped(text, 3000), blocks };
}

/**
 * The same message as an email: a one-line subject (`[Inlet] <headline>: <count>`), a plain-text
 * body and an HTML body with the same sections. No button: the replay command stands in for it.
 */
export function emailMessage(
  kind: AlertMessageKind,
  group: AlertGroupView,
  links: AlertLinks,
  nowMs: number,
): EmailMessage {
  const c = content(kind, group, links, nowMs);
  const subject = `[Inlet] ${c.headline}: ${c.count}`.replace(/[\r\n]+/g, ' ');

  const text: string[] = [`${c.title}${c.detail}`, '', `${plain(c.what)} ${c.count}.`, ''];
  for (const fact of c.facts) text.push(`${fact.label}: ${plain(fact.value)}`);
  text.push('', `What to do: ${plain(c.todo)}`);
  if (c.links) text.push('', plain(c.links));
  for (const command of c.commands) text.push('', `${command.label}:`, `  ${command.command}`);
  text.push('', c.footer);

  const rows = c.facts
    .map(
      (fact) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0">${escHtml(fact.label)}</th><td>${html(fact.value)}</td></tr>`,
    )
    .join('');
  const body = [
    `<h2>${escHtml(c.title)}</h2>`,
    `<p>${html(c.what)} <strong>${escHtml(c.count)}.</strong></p>`,
    `<table>${rows}</table>`,
    `<p><strong>What to do:</strong> ${html(c.todo)}</p>`,
    c.links ? `<p>${html(c.links)}</p>` : '',
    ...c.commands.map((command) => `<p>${escHtml(command.label)}:</p><pre>${escHtml(command.command)}</pre>`),
    `<p style="color:#666">${escHtml(c.footer)}</p>`,
  ];
  return {
    subject: clip(subject, 250),
    text: `${text.join('\n')}\n`,
    html: `<!doctype html><html><body>${body.filter(Boolean).join('\n')}</body></html>`,
  };
}
