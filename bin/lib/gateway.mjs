/**
 * Which gateway the CLI talks to and with what credentials, and the one HTTP path for the admin
 * API: every failure turns into a CliError with the exit code a script can act on (3 unreachable,
 * 4 unauthorized, 1 a refusal), and RFC 9457 problems print as `detail (code)` with their issues.
 */
import { CliError, EXIT, usageError } from './errors.mjs';
import { localVars } from './root.mjs';

export const DEFAULT_URL = 'http://127.0.0.1:8787';
const REQUEST_TIMEOUT_MS = Number(process.env.INLET_REQUEST_TIMEOUT_MS ?? 15_000);

/** `--url`, else `INLET_URL`, else the local `npm run dev`; without a trailing slash. */
export function gatewayUrl(option) {
  const raw = option ?? process.env.INLET_URL ?? DEFAULT_URL;
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`not an http(s) URL: ${raw}`);
  if (url.search || url.hash) throw usageError(`the gateway URL takes no query or fragment: ${raw}`);
  return url.href.replace(/\/+$/, '');
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '0.0.0.0']);

/** A gateway on this machine: the one `npm run dev` runs with the values of .dev.vars. */
export const isLocal = (url) => LOCAL_HOSTS.has(new URL(url).hostname);

/**
 * A secret by name: the environment first (staging, CI), then .dev.vars, but only for a local
 * gateway: sending development secrets to a remote one would only earn a 401, and leak them.
 * Returns where it came from too, so an error can name the place without showing the value.
 */
export function secret(names, url) {
  for (const name of names) {
    const value = process.env[name];
    if (value) return { value, from: name };
  }
  if (isLocal(url)) {
    for (const name of names) {
      const value = localVars()[name];
      if (value) return { value, from: `${name} in .dev.vars` };
    }
  }
  return undefined;
}

const TOKEN_VARS = ['INLET_ADMIN_TOKEN', 'ADMIN_TOKEN'];

/** What a failed fetch ran into: `ECONNREFUSED`, a timeout, or the message. */
function networkReason(error) {
  if (error?.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return error?.cause?.code ?? error?.cause?.message ?? error?.message ?? String(error);
}

/** A fetch whose network failure reads as "cannot reach the gateway" (exit 3). */
export async function reach(base, url, init = {}) {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw new CliError(EXIT.unreachable, `cannot reach the gateway at ${base} (${networkReason(error)})`, {
      hint: isLocal(base)
        ? 'is it running? start it with `npm run dev`'
        : 'check --url or INLET_URL, and that the gateway is deployed',
    });
  }
}

/** The body of an answer: JSON when it is JSON, else the text (an HTML error page, say). */
export async function readAnswer(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An RFC 9457 problem, or any other error answer, as a CliError (exit 1). */
export function problemError(response, body, what) {
  if (body && typeof body === 'object' && typeof body.detail === 'string') {
    const code = body.code ?? body.title ?? response.status;
    return new CliError(EXIT.failed, `${body.detail} (${code})`, {
      issues: Array.isArray(body.issues) ? body.issues : undefined,
      status: response.status,
    });
  }
  const text = typeof body === 'string' ? `: ${body.trim().slice(0, 200)}` : '';
  return new CliError(EXIT.failed, `${what} answered HTTP ${response.status}${text}`, {
    status: response.status,
  });
}

/**
 * The admin API of the gateway at `url`. The token is resolved lazily, so a usage error is
 * reported before a missing token, and the token only ever goes into the Authorization header.
 */
export function adminClient(url) {
  const token = secret(TOKEN_VARS, url);

  async function request(method, path, { query, body, headers } = {}) {
    if (!token) {
      throw new CliError(EXIT.unauthorized, `no admin token for ${url}`, {
        hint: "set INLET_ADMIN_TOKEN to the gateway's ADMIN_TOKEN",
      });
    }
    const target = new URL(`${url}/admin${path}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== false)
        target.searchParams.set(key, String(value));
    }
    const response = await reach(url, target, {
      method,
      headers: {
        authorization: `Bearer ${token.value}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = await readAnswer(response);
    if (response.status === 401) {
      throw new CliError(EXIT.unauthorized, `the gateway at ${url} refused the admin token (unauthorized)`, {
        hint: `the token came from ${token.from}; set INLET_ADMIN_TOKEN to the gateway's ADMIN_TOKEN`,
      });
    }
    return { status: response.status, ok: response.ok, body: answer, response };
  }

  /** A request whose non-2xx answer is an error: the common case. */
  async function call(method, path, options) {
    const answer = await request(method, path, options);
    if (!answer.ok) throw problemError(answer.response, answer.body, `${method} /admin${path}`);
    return answer.body;
  }

  return {
    url,
    request,
    get: (path, query) => call('GET', path, { query }),
    post: (path, options) => call('POST', path, options),
  };
}
