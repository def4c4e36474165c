/**
 * The Hono app: routes mounted, and the one place where errors become responses. Every error
 * answer is an RFC 9457 problem with a stable `code`; anything unexpected is logged and answered
 * as a generic 500 that reveals nothing.
 */
import { type Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { InletError, toProblem } from './errors';
import { log } from './lib/log';
import { admin } from './routes/admin';
import type { AppEnv } from './routes/context';
import { ingest } from './routes/ingest';
import { slack } from './routes/slack';
import { findSource } from './sources/registry';
import { countRejection, UNKNOWN_SOURCE } from './store/stats';

export const app = new Hono<AppEnv>();

// One line per request: the route, the answer and the time, never a query string (an admin search
// may carry an email) nor a header value.
app.use('*', async (c, next) => {
  const startedAt = Date.now();
  c.set('requestId', c.req.header('cf-ray') ?? crypto.randomUUID());
  await next();
  if (c.req.path === '/health') return;
  log.info('request', {
    request_id: c.get('requestId'),
    method: c.req.method,
    path: c.req.path.slice(0, 200),
    status: c.res.status,
    duration_ms: Date.now() - startedAt,
    event_ids: c.get('eventIds'),
  });
});

app.get('/health', (c) => c.json({ status: 'ok' }));
app.route('/in', ingest);
app.route('/admin', admin);
app.route('/slack', slack);

function problemResponse(error: InletError, requestId: string): Response {
  return new Response(JSON.stringify(toProblem(error, requestId)), {
    status: error.status,
    headers: { 'content-type': 'application/problem+json', ...error.headers },
  });
}

app.notFound((c) => problemResponse(new InletError(404, 'not_found', 'No such route.'), c.get('requestId')));

/** A refused webhook, counted for the funnel's `rejected` by source and reason. */
function countIfIngest(c: Context<AppEnv>, code: string): void {
  const [, prefix, name] = c.req.path.split('/');
  if (prefix !== 'in' || !name) return;
  countRejection(c.env.DB, findSource(name) ? name : UNKNOWN_SOURCE, code, (p) =>
    c.executionCtx.waitUntil(p),
  );
}

app.onError((error, c) => {
  const requestId = c.get('requestId') ?? crypto.randomUUID();
  if (error instanceof InletError) {
    if (error.status < 500) countIfIngest(c, error.code);
    return problemResponse(error, requestId);
  }
  if (error instanceof HTTPException) {
    countIfIngest(c, error.status === 413 ? 'payload_too_large' : 'malformed_body');
    return problemResponse(
      new InletError(
        error.status === 413 ? 413 : 400,
        error.status === 413 ? 'payload_too_large' : 'malformed_body',
        'The request could not be read.',
      ),
      requestId,
    );
  }
  // D1 down, a bug: log the error class only (its message may quote a payload), answer a bare 503
  // so the sender retries later.
  log.error('unhandled error', { request_id: requestId, path: c.req.path, error: error.name });
  return problemResponse(
    new InletError(503, 'internal_error', 'Inlet could not process the request; retry later.'),
    requestId,
  );
});
