/**
 * A fake email API on 127.0.0.1 in the shape of Resend's `POST /emails`: `Authorization: Bearer
 * <token>`, a JSON `{from, to, subject, text?, html?}` (`to` one address or a list of up to 50),
 * answered 200 `{id}`. Errors have Resend's body `{statusCode, name, message}` and its statuses
 * (resend.com/docs/api-reference/errors): no key → 401 `missing_api_key`; a wrong key → 403
 * `invalid_api_key`; a missing `from`, `to` or `subject` → 422 `missing_required_field`; a field
 * of the wrong shape, or neither `text` nor `html` → 422 `validation_error`; a body that is not
 * JSON → 400 `validation_error`.
 *
 * `url` is the API's base (as `https://api.resend.com` is): clients post to `${url}/emails`.
 *
 * Control API (tests only): GET /__control/messages (each with `at`), POST /__control/fail
 * {status?, times, retryAfter?, delayMs?} (the next `times` sends wait `delayMs` and answer
 * `status`, 429 with `Retry-After`, default 1; without a status they are only slowed), and
 * POST /__control/reset.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readAll, sendJson } from './http.ts';

/** An email the API accepted. */
export interface RecordedEmail {
  at: number;
  id: string;
  from: string;
  to: string[];
  subject: string;
  text?: string;
  html?: string;
}

/** One scripted failure, as `POST /__control/fail` takes it. */
export interface EmailFailure {
  status?: number;
  times: number;
  retryAfter?: number;
  delayMs?: number;
}

export interface FakeEmailOptions {
  port?: number;
  /** The one API key this server accepts. */
  token: string;
  /** Print one line per email accepted (`[fake-email] to: subject`), for `npm run dev`. */
  print?: boolean;
}

export interface FakeEmail {
  url: string;
  close(): Promise<void>;
}

const MAX_RECIPIENTS = 50;

// Resend's names for the scripted statuses.
const FAILURE_NAMES: Record<number, string> = {
  429: 'rate_limit_exceeded',
  500: 'internal_server_error',
  503: 'internal_server_error',
};

const problem = (response: ServerResponse, statusCode: number, name: string, message: string) =>
  sendJson(response, statusCode, { statusCode, name, message });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Resend takes `Name <address>` or a bare address.
const ADDRESS = /^(?:[^<>]*<\s*[^\s@<>]+@[^\s@<>]+\s*>|[^\s@<>]+@[^\s@<>]+)$/;

/** Starts the fake on 127.0.0.1 (`port` 0 or absent: any free port). */
export async function startFakeEmail(options: FakeEmailOptions): Promise<FakeEmail> {
  const messages: RecordedEmail[] = [];
  const failures: EmailFailure[] = [];

  const nextFailure = (): EmailFailure | undefined => {
    const failure = failures[0];
    if (!failure) return undefined;
    if (--failure.times <= 0) failures.shift();
    return failure;
  };

  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const raw = await readAll(request);
      const method = request.method ?? 'GET';

      if (url.pathname.startsWith('/__control/')) {
        const route = `${method} ${url.pathname.slice('/__control/'.length)}`;
        if (route === 'GET messages') return sendJson(response, 200, messages);
        if (route === 'POST reset') {
          messages.length = 0;
          failures.length = 0;
          return sendJson(response, 200, { ok: true });
        }
        if (route === 'POST fail') {
          const failure = JSON.parse(raw) as EmailFailure;
          if (!(Number.isInteger(failure.times) && failure.times > 0))
            return sendJson(response, 400, { error: 'times must be a positive integer' });
          failures.push({ ...failure });
          return sendJson(response, 200, { ok: true, pending: failures.length });
        }
        return sendJson(response, 404, { error: 'not_found' });
      }

      if (url.pathname !== '/emails')
        return problem(response, 404, 'not_found', 'The requested endpoint does not exist.');
      if (method !== 'POST')
        return problem(response, 405, 'method_not_allowed', 'Method is not allowed for the requested path.');

      const authorization = String(request.headers.authorization ?? '');
      const token = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
      if (!token)
        return problem(response, 401, 'missing_api_key', 'Missing API key in the authorization header.');
      if (token !== options.token) return problem(response, 403, 'invalid_api_key', 'API key is invalid.');

      const failure = nextFailure();
      if (failure?.delayMs) await new Promise((resolve) => setTimeout(resolve, failure.delayMs));
      if (failure?.status !== undefined) {
        const headers: Record<string, string> =
          failure.status === 429 ? { 'retry-after': String(failure.retryAfter ?? 1) } : {};
        return sendJson(
          response,
          failure.status,
          {
            statusCode: failure.status,
            name: FAILURE_NAMES[failure.status] ?? 'application_error',
            message: 'Scripted failure.',
          },
          headers,
        );
      }

      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return problem(response, 400, 'validation_error', 'The body is not valid JSON.');
      }
      if (!isObject(body))
        return problem(response, 422, 'validation_error', 'The body must be a JSON object.');
      for (const field of ['from', 'to', 'subject'] as const)
        if (body[field] === undefined || body[field] === null || body[field] === '')
          return problem(response, 422, 'missing_required_field', `Missing \`${field}\` field.`);
      const { from, subject, text, html } = body;
      const to = typeof body.to === 'string' ? [body.to] : body.to;
      if (typeof from !== 'string' || !ADDRESS.test(from.trim()))
        return problem(response, 422, 'validation_error', 'Invalid `from` field.');
      if (
        !Array.isArray(to) ||
        to.length < 1 ||
        to.length > MAX_RECIPIENTS ||
        !to.every((address) => typeof address === 'string' && ADDRESS.test(address.trim()))
      )
        return problem(response, 422, 'validation_error', 'Invalid `to` field.');
      if (typeof subject !== 'string')
        return problem(response, 422, 'validation_error', 'Invalid `subject` field.');
      if (
        (text !== undefined && typeof text !== 'string') ||
        (html !== undefined && typeof html !== 'string')
      )
        return problem(response, 422, 'validation_error', 'Invalid `text` or `html` field.');
      if (!text && !html)
        return problem(response, 422, 'validation_error', 'Missing `text` or `html` field.');

      const id = randomUUID();
      messages.push({
        at: Date.now(),
        id,
        from,
        to: to as string[],
        subject,
        ...(typeof text === 'string' ? { text } : {}),
        ...(typeof html === 'string' ? { html } : {}),
      });
      if (options.print) console.log(`[fake-email] ${(to as string[]).join(', ')}: ${subject}`);
      return sendJson(response, 200, { id });
    } catch (error) {
      return problem(response, 500, 'internal_server_error', error instanceof Error ? error.name : 'error');
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // A scripted delay must not hold the test run open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
