/**
 * `POST /in/:source`: the edge URL providers call. In order: find the source, read the raw body
 * (size-limited), answer unsigned handshakes, verify the signature on the raw bytes, parse, answer
 * signed handshakes, validate, then make it durable and answer 202 (or 200 for a redelivery).
 * `GET` is only for handshakes (Meta, Mailchimp).
 */
import { Hono } from 'hono';
import { countVerificationFailure } from '../alerts/verification';
import { optionalVar, secretsOf, settings } from '../config/settings';
import { InletError } from '../errors';
import { log } from '../lib/log';
import { accept, keptHeaders } from '../pipeline/accept';
import { parsePayload, validatePayload } from '../pipeline/parse';
import { eventKind } from '../sources/events';
import { findSource } from '../sources/registry';
import type { Source } from '../sources/types';
import { sha256Hex, utf8 } from '../verify/crypto';
import type { HandshakeReply, InboundRequest, VerifyContext } from '../verify/types';
import { readBody } from './body';
import type { AppEnv } from './context';

export const ingest = new Hono<AppEnv>();

const reply = (answer: HandshakeReply) =>
  new Response(answer.body, { status: answer.status, headers: { 'content-type': answer.contentType } });

/** After the answer: the Worker's waitUntil, or, where there is none (a bare app.fetch), just run. */
function waitUntil(
  c: { executionCtx: { waitUntil(promise: Promise<unknown>): void } },
  promise: Promise<unknown>,
): void {
  try {
    c.executionCtx.waitUntil(promise);
  } catch {
    void promise;
  }
}

const notPost = () =>
  new InletError(405, 'method_not_allowed', 'Webhooks are accepted with POST.', undefined, { allow: 'POST' });

function sourceFor(name: string): Source {
  const source = findSource(name);
  if (!source) throw new InletError(404, 'unknown_source', 'No source is configured under this name.');
  return source;
}

async function challenge(source: Source, inbound: InboundRequest, env: Env): Promise<Response | undefined> {
  if (!source.preset.challenge) return undefined;
  const verifyToken = source.verifyTokenVar ? optionalVar(env, source.verifyTokenVar) : undefined;
  const answer = await source.preset.challenge(inbound, verifyToken);
  if (answer === null)
    throw new InletError(403, 'handshake_rejected', 'The handshake could not be verified.');
  return answer ? reply(answer) : undefined;
}

ingest.get('/:source', async (c) => {
  const source = sourceFor(c.req.param('source'));
  const inbound: InboundRequest = {
    method: c.req.raw.method,
    url: c.req.url,
    headers: c.req.raw.headers,
    body: new Uint8Array(0),
  };
  const answered = await challenge(source, inbound, c.env);
  if (answered) return answered;
  throw notPost();
});

ingest.post('/:source', async (c) => {
  const source = sourceFor(c.req.param('source'));
  const body = await readBody(c.req.raw, settings(c.env).maxBodyBytes);
  const inbound: InboundRequest = { method: 'POST', url: c.req.url, headers: c.req.raw.headers, body };

  const answered = await challenge(source, inbound, c.env);
  if (answered) return answered;

  const context: VerifyContext = { secrets: secretsOf(c.env, source.secretVar), nowMs: Date.now() };
  const verification = await source.preset.verifier.verify(inbound, context);
  if (!verification.ok) {
    // The reason goes to the operator's log only; the sender gets the same answer for every failure.
    log.warn('signature rejected', {
      source: source.name,
      reason: verification.reason,
      secret_var: source.secretVar,
    });
    countVerificationFailure(c.env, source.name, (promise) => waitUntil(c, promise));
    throw new InletError(401, 'invalid_signature', 'The request signature could not be verified.');
  }

  const contentType = c.req.header('content-type') ?? '';
  const parsed = await parsePayload(contentType, body);
  const handshake = await source.preset.handshake?.(parsed, context);
  if (handshake) return reply(handshake);

  // A batch (Meta, HubSpot app webhooks) becomes one event per item, each deduped on its own id,
  // so a redelivered batch that gained an item stores just the new one.
  const parts = source.split ? source.split(parsed) : [parsed];
  const events = parts.map((part) => {
    const eventType = source.eventType?.(part);
    const kind = eventKind(source.events, eventType);
    // Only leads must match the source's contract; what is not a lead is kept as it came.
    if (kind !== 'ignore') validatePayload(source.schema, part);
    const split = source.split !== undefined;
    const partBody = split ? utf8(JSON.stringify(part)) : body;
    return {
      body: partBody,
      contentType: split ? 'application/json' : contentType,
      key: source.preset.idempotencyKey?.(inbound, part) ?? (split ? undefined : verification.deliveryId),
      eventType,
      ignored: kind === 'ignore',
    };
  });
  const headers = keptHeaders(inbound.headers);
  const accepted = await accept(
    c.env,
    await Promise.all(
      events.map(async (event) => ({
        source: source.name,
        idempotencyKey: event.key ?? `sha256:${await sha256Hex(event.body)}`,
        contentType: event.contentType,
        headers,
        body: event.body,
        receivedAt: context.nowMs,
        eventType: event.eventType,
        requestId: c.get('requestId'),
        ignored: event.ignored,
        dedupeWindowMs: event.key ? undefined : source.dedupeWindowMs,
        // One request's signature: the key of a request that is one event, not of a batch's parts.
        replay: source.split ? undefined : verification.replay,
      })),
    ),
  );
  const fresh = accepted.filter((event) => !event.duplicate);
  const ids = accepted.map((event) => event.id);
  c.set('eventIds', ids.join(','));
  const answer = source.split ? { id: ids[0] ?? null, ids } : { id: ids[0] };
  if (accepted.length > 0 && fresh.length === 0) return c.json({ ...answer, duplicate: true }, 200);
  // Acknowledged, not a lead: 200 with what it was, so the sender's dashboard shows it was received.
  if (accepted.length > 0 && events.every((event) => event.ignored))
    return c.json({ ...answer, ignored: true, event_type: events[0]?.eventType ?? null }, 200);
  return c.json(answer, 202);
});

ingest.all('/:source', () => {
  throw notPost();
});
