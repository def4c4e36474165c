/**
 * Posting the alert outbox to its channels (a Slack incoming webhook, an HTTP email API). Runs on
 * the alerts queue (woken when a message was written) and on every cron sweep, never on the
 * delivery path: a Slack that is down, slow or rate-limiting delays alerts, never a lead. A
 * message leaves the outbox only once its channel took it.
 */
import { config } from '../config';
import { type AlertChannelConfig, varFor } from '../config/schema';
import { optionalVar } from '../config/settings';
import { log } from '../lib/log';
import { parseRetryAfter } from '../lib/outcome';
import { emailMessage, slackMessage } from './format';
import { alertSettings } from './raise';
import type { AlertGroupView, AlertKind, AlertMessageKind, AlertSample } from './types';

const TIMEOUT_MS = 5_000;
const BATCH = 50;
/** A message a channel keeps refusing is retried no more often than hourly, never dropped. */
const MAX_BACKOFF_S = 3600;

interface OutboxRow {
  outbox_id: number;
  channel: string;
  message_kind: AlertMessageKind;
  from_count: number;
  to_count: number;
  since_at: number;
  attempts: number;
  id: string;
  kind: AlertKind;
  source: string | null;
  destination: string | null;
  error_class: string | null;
  first_at: number;
  last_at: number;
  sample: string | null;
  replayable: number;
}

type Posted = { ok: true } | { ok: false; retryInSeconds: number; reason: string };

/** Posts what is due; answers how many messages went out and how many wait for a retry. */
export async function sendAlerts(
  env: Env,
  nowMs: number = Date.now(),
): Promise<{ sent: number; waiting: number }> {
  const { results } = await env.DB.prepare(
    `SELECT o.id AS outbox_id, o.channel, o.message_kind, o.from_count, o.to_count, o.since_at, o.attempts,
       g.id, g.kind, g.source, g.destination, g.error_class, g.first_at, g.last_at, g.sample,
       (SELECT count(*) FROM alert_events e WHERE e.group_id = g.id) AS replayable
     FROM alert_outbox o JOIN alert_groups g ON g.id = o.group_id
     WHERE o.next_at <= ?1 ORDER BY o.id LIMIT ?2`,
  )
    .bind(nowMs, BATCH)
    .all<OutboxRow>();
  const adminBaseUrl = alertSettings(config.alerts).adminUrl;
  // A channel that answered 429 or is down is not tried again in this run: its rows wait together.
  const held = new Map<string, Posted & { ok: false }>();
  let sent = 0;
  let waiting = 0;
  for (const row of results) {
    const channel = config.alerts.channels[row.channel];
    if (!channel) {
      // Removed from the configuration: nobody to tell.
      await env.DB.prepare('DELETE FROM alert_outbox WHERE id = ?1').bind(row.outbox_id).run();
      continue;
    }
    const posted =
      held.get(row.channel) ??
      (await post(env, row.channel, channel, view(row), row.message_kind, adminBaseUrl));
    if (posted.ok) {
      await env.DB.prepare('DELETE FROM alert_outbox WHERE id = ?1').bind(row.outbox_id).run();
      sent++;
      continue;
    }
    held.set(row.channel, posted);
    waiting++;
    const backoff = Math.min(MAX_BACKOFF_S, 15 * 2 ** row.attempts);
    const delay = Math.max(posted.retryInSeconds, Math.ceil(backoff * (0.5 + Math.random() / 2)));
    await env.DB.prepare(
      'UPDATE alert_outbox SET attempts = attempts + 1, next_at = ?2, last_error = ?3 WHERE id = ?1',
    )
      .bind(row.outbox_id, nowMs + delay * 1000, posted.reason)
      .run();
  }
  if (waiting) log.warn('alerts not posted yet; retrying', { waiting, channels: [...held.keys()].join(',') });
  return { sent, waiting };
}

function view(row: OutboxRow): AlertGroupView {
  return {
    id: row.id,
    kind: row.kind,
    source: row.source,
    destination: row.destination,
    errorClass: row.error_class,
    count: row.to_count,
    toldCount: row.from_count,
    firstAt: row.first_at,
    lastAt: row.last_at,
    sinceAt: row.since_at,
    sample: row.sample ? (JSON.parse(row.sample) as AlertSample) : null,
    replayableCount: row.replayable,
  };
}

async function post(
  env: Env,
  name: string,
  channel: AlertChannelConfig,
  group: AlertGroupView,
  kind: AlertMessageKind,
  adminBaseUrl: string,
): Promise<Posted> {
  const nowMs = Date.now();
  let url: string | undefined;
  let init: RequestInit;
  if (channel.type === 'slack') {
    const webhookVar = channel.webhookVar ?? varFor('ALERT', name, 'WEBHOOK_URL');
    url = optionalVar(env, webhookVar);
    if (!url) return { ok: false, retryInSeconds: 300, reason: `${webhookVar} is not set` };
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(slackMessage(kind, group, { adminBaseUrl }, nowMs)),
    };
  } else {
    const urlVar = channel.urlVar ?? varFor('ALERT', name, 'URL');
    const tokenVar = channel.tokenVar ?? varFor('ALERT', name, 'TOKEN');
    const base = optionalVar(env, urlVar) ?? channel.url ?? 'https://api.resend.com';
    const token = optionalVar(env, tokenVar);
    if (!token) return { ok: false, retryInSeconds: 300, reason: `${tokenVar} is not set` };
    url = `${base.replace(/\/$/, '')}/emails`;
    const message = emailMessage(kind, group, { adminBaseUrl }, nowMs);
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ from: channel.from, to: channel.to, ...message }),
    };
  }
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { ok: false, retryInSeconds: 15, reason: timedOut ? 'timeout' : 'connection failed' };
  }
  // The body may quote the message: only the status is kept.
  await response.body?.cancel();
  if (response.ok) return { ok: true };
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), nowMs);
  if (response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408)
    log.error('alert channel refused a message', { channel: name, http_status: response.status });
  return { ok: false, retryInSeconds: retryAfter ?? 15, reason: `HTTP ${response.status}` };
}
