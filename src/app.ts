/**
 * The Hono app: routes mounted, the request log line, and errors answered by the one handler of
 * ./routes/problem.ts.
 */
import { Hono } from 'hono';
import { dashboard } from './dashboard';
import { InletError } from './errors';
import { log, setLogLevel } from './lib/log';
import { admin } from './routes/admin';
import type { AppEnv } from './routes/context';
import { ingest } from './routes/ingest';
import { answerError, problemResponse } from './routes/problem';
import { slack } from './routes/slack';

export const app = new Hono<AppEnv>();

// One line per request: the route, the answer and the time, never a query string (an admin search
// may carry an email) nor a header value.
app.use('*', async (c, next) => {
  setLogLevel(c.env.LOG_LEVEL);
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
app.route('/admin', dashboard);
app.route('/admin', admin);
app.route('/slack', slack);

app.notFound((c) => problemResponse(new InletError(404, 'not_found', 'No such route.'), c.get('requestId')));
app.onError(answerError);
