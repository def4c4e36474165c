/**
 * The one place where errors become responses, for the app and for the admin app when the
 * dashboard calls it in-process. Every error answer is an RFC 9457 problem with a stable `code`;
 * anything unexpected is logged (its class only) and answered as a bare 503 that reveals nothing.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { InletError, toProblem } from '../errors';
import { log } from '../lib/log';
import { findSource } from '../sources/registry';
import { countRejection, UNKNOWN_SOURCE } from '../store/stats';
import type { AppEnv } from './context';

export function problemResponse(error: InletError, requestId: string): Response {
  return new Response(JSON.stringify(toProblem(error, requestId)), {
    status: error.status,
    headers: { 'content-type': 'application/problem+json', ...error.headers },
  });
}

/** A refused webhook, counted for the funnel's `rejected` by source and reason. */
function countIfIngest(c: Context<AppEnv>, code: string): void {
  const [, prefix, name] = c.req.path.split('/');
  if (prefix !== 'in' || !name) return;
  countRejection(c.env.DB, findSource(name) ? name : UNKNOWN_SOURCE, code, (p) =>
    c.executionCtx.waitUntil(p),
  );
}

// biome-ignore lint/suspicious/noExplicitAny: shared by apps whose Variables differ
export function answerError(error: Error, c: Context<any>): Response {
  const requestId: string = c.get('requestId') ?? crypto.randomUUID();
  if (error instanceof InletError) {
    if (error.status < 500) countIfIngest(c, error.code);
    return problemResponse(error, requestId);
  }
  if (error instanceof HTTPException) {
    const tooLarge = error.status === 413;
    countIfIngest(c, tooLarge ? 'payload_too_large' : 'malformed_body');
    return problemResponse(
      new InletError(
        tooLarge ? 413 : 400,
        tooLarge ? 'payload_too_large' : 'malformed_body',
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
}
