/**
 * `POST /slack/interactions`: the "Replay these N events" button of an alert. Slack signs the
 * request (verified on the raw bytes with the Slack preset and the app's signing secret); only the
 * users the configuration allows may replay; the message is then updated with the result through
 * the `response_url` Slack sent, after the 200 Slack wants within three seconds.
 */
import { Hono } from 'hono';
import * as v from 'valibot';
import { replayGroup } from '../alerts/replay';
import { config } from '../config';
import { secretsOf, settings } from '../config/settings';
import { InletError } from '../errors';
import { log } from '../lib/log';
import { validatePayload } from '../pipeline/parse';
import { presets } from '../sources/presets';
import { readBody } from './body';

export const slack = new Hono<{ Bindings: Env }>();

const InteractionSchema = v.looseObject({
  type: v.literal('block_actions'),
  user: v.looseObject({ id: v.string() }),
  response_url: v.pipe(v.string(), v.url()),
  actions: v.pipe(
    v.array(v.looseObject({ action_id: v.string(), value: v.optional(v.string()) })),
    v.minLength(1),
  ),
});

slack.post('/interactions', async (c) => {
  const body = await readBody(c.req.raw, settings(c.env).maxBodyBytes);
  const verification = await presets.slack.verifier.verify(
    { method: 'POST', url: c.req.url, headers: c.req.raw.headers, body },
    {
      secrets: secretsOf(c.env, config.alerts.slack?.signingSecretVar ?? 'SLACK_SIGNING_SECRET'),
      nowMs: Date.now(),
    },
  );
  if (!verification.ok) {
    log.warn('slack interaction rejected', { reason: verification.reason });
    throw new InletError(401, 'invalid_signature', 'The request signature could not be verified.');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new URLSearchParams(new TextDecoder().decode(body)).get('payload') ?? '');
  } catch {
    throw new InletError(400, 'malformed_body', 'The interaction payload is not JSON.');
  }
  const interaction = validatePayload(InteractionSchema, raw);
  const action = interaction.actions.find((a) => a.action_id === 'inlet_replay');
  if (!action?.value) return c.body(null, 200);

  const allowed = (config.alerts.slack?.allowedUsers ?? []).includes(interaction.user.id);
  const respond = async (message: Record<string, unknown>) => {
    try {
      await fetch(interaction.response_url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(5000),
      });
    } catch {
      // The replay stands whether or not Slack shows it.
    }
  };
  const work = (async () => {
    if (!allowed) {
      log.warn('slack replay refused: user not allowed', { group: action.value });
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'You are not allowed to replay from Slack. An admin can add your Slack user id to alerts.slack.allowedUsers in inlet.config.ts.',
      });
      return;
    }
    const result = await replayGroup(c.env, action.value ?? '');
    log.info('slack replay', { group: action.value, replayed: result.replayed.length });
    const text = result.found
      ? `Replayed ${result.replayed.length} events (requested by <@${interaction.user.id}>).`
      : 'This alert is no longer known to Inlet.';
    await respond({
      replace_original: true,
      text,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
    });
  })();
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    await work;
  }
  return c.body(null, 200);
});
