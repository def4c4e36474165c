/**
 * `/admin/*`: the operator's read-back of events, behind a bearer token (`ADMIN_TOKEN`) compared in
 * constant time.
 */
import { Hono } from 'hono';
import { InletError } from '../errors';
import { getEvent, listAttempts } from '../store/events';
import { constantTimeEqual } from '../verify/crypto';

export const admin = new Hono<{ Bindings: Env }>();

admin.use('*', async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  // An unset ADMIN_TOKEN must not turn into "the empty token is valid".
  if (!c.env.ADMIN_TOKEN || !token || !(await constantTimeEqual(token, c.env.ADMIN_TOKEN))) {
    throw new InletError(401, 'unauthorized', 'A valid admin bearer token is required.', undefined, {
      'www-authenticate': 'Bearer realm="inlet-admin"',
    });
  }
  await next();
});

const decoder = new TextDecoder();

admin.get('/events/:id', async (c) => {
  const event = await getEvent(c.env.DB, c.req.param('id'));
  if (!event) throw new InletError(404, 'not_found', 'No event has this id.');
  return c.json({
    id: event.id,
    source: event.source,
    status: event.status,
    idempotency_key: event.idempotencyKey,
    received_at: new Date(event.receivedAt).toISOString(),
    delivered_at: event.deliveredAt === null ? null : new Date(event.deliveredAt).toISOString(),
    last_error: event.lastError,
    attempt_count: event.attempts,
    attempts: await listAttempts(c.env.DB, event.id),
    lead: event.lead,
    request: { content_type: event.contentType, headers: event.headers, body: decoder.decode(event.body) },
  });
});
