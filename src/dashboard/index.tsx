/**
 * The operator dashboard, server-rendered at `/admin` (events), `/admin/login`, `/admin/logout`
 * and `/admin/ui/*`. Every read and every action goes through the JSON admin API in-process
 * (./api.ts), so the browser and the CLI see the same data under the same rules; this file only
 * adds what a browser needs on top: a session instead of a bearer token, CSRF-safe forms, and HTML.
 *
 * Mounted before the admin API on the same prefix, so its middleware is registered per path,
 * never on `*`: a `*` here would run in front of every API route too.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { config } from '../config';
import { log } from '../lib/log';
import { signInFailures } from '../lib/throttle';
import { DELIVERY_STATUS_LIST, EVENT_STATUS_LIST } from '../pipeline/status';
import { isAdminToken } from '../routes/admin';
import {
  type ApiResult,
  adminClient,
  type Cohorts,
  type Destination,
  type Erased,
  type EventDetail,
  type EventPage as EventPageData,
  type Funnel,
  type JobPage,
  type Latency,
  type ReplayJob,
  type RequestContext,
} from './api';
import { ASSET_VERSION, CSS, SCRIPT } from './assets';
import type { Flash } from './components';
import { apiFilter, filterOf, withFilter } from './filters';
import { ErrorPage, LoginPage, SignOutPage } from './pages/auth';
import { DestinationsPage } from './pages/destinations';
import { EraseConfirm, EraseDone, EraseForm, type Who } from './pages/erase';
import { EventPage } from './pages/event';
import { EventsPage } from './pages/events';
import { JobsPage, JobPage as ReplayJobPage } from './pages/replays';
import { StatsPage } from './pages/stats';
import { csrfMatches, csrfToken, issueSession, readSession, SESSION_SECONDS, type Session } from './session';

type DashboardEnv = { Bindings: Env; Variables: { session: Session; csrf: string } };
type DashboardContext = Context<DashboardEnv>;

export const dashboard = new Hono<DashboardEnv>();

const SESSION_COOKIE = 'inlet_session';
const FLASH_COOKIE = 'inlet_flash';
// Path=/admin: the cookie goes to the dashboard and the API, never to /in/* where senders post.
// SameSite=Strict: no other site can make the browser send it, the first CSRF defence.
const COOKIE: CookieOptions = { path: '/admin', httpOnly: true, secure: true, sameSite: 'Strict' };

// Everything loads from the Worker itself; no inline script or style, no framing.
const CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "script-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const pageHeaders: MiddlewareHandler<DashboardEnv> = async (c, next) => {
  await next();
  c.header('content-security-policy', CSP);
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
  c.header('x-frame-options', 'DENY');
  if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
};

const executionCtx = (c: DashboardContext): RequestContext => {
  try {
    return c.executionCtx;
  } catch {
    return undefined; // app.request() in a test has none
  }
};
const client = (c: DashboardContext) => adminClient(c.env, executionCtx(c));

/** Only a path of this dashboard: `next=//evil.example` must not turn sign-in into a redirector. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/admin(\/ui\/[\w\-./?=&%]*)?(\?[\w\-./?=&%]*)?$/.test(value)
    ? value
    : '/admin';
}

/**
 * The second CSRF defence, for browsers that say where a request comes from: a POST from another
 * origin is refused whatever it carries.
 */
function sameOrigin(c: DashboardContext): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = c.req.header('origin');
  return origin === undefined || origin === new URL(c.req.url).origin;
}

const refuse = (
  c: DashboardContext,
  status: ContentfulStatusCode,
  title: string,
  detail: string,
  code?: string,
) =>
  c.html(
    <ErrorPage status={status} title={title} detail={detail} code={code} csrf={c.get('csrf') || undefined} />,
    status,
  );

/** A session for every page; a valid CSRF token and our own origin for every POST. */
const guard: MiddlewareHandler<DashboardEnv> = async (c, next) => {
  const session = await readSession(c.env.ADMIN_TOKEN, getCookie(c, SESSION_COOKIE), Date.now());
  if (!session) {
    if (c.req.method === 'GET' && !c.req.header('accept')?.includes('application/json')) {
      const url = new URL(c.req.url);
      return c.redirect(`/admin/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }
    return refuse(c, 401, 'Signed out', 'Your session ended. Sign in again, then retry.', 'unauthorized');
  }
  c.set('session', session);
  c.set('csrf', await csrfToken(c.env.ADMIN_TOKEN, session));
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    const form = await c.req.parseBody();
    if (!sameOrigin(c) || !(await csrfMatches(c.env.ADMIN_TOKEN, session, form._csrf))) {
      return refuse(
        c,
        403,
        'This form has expired',
        'The form was not sent from this dashboard in this session. Reload the page and try again.',
        'csrf',
      );
    }
  }
  await next();
};

function flash(c: DashboardContext, value: Flash): void {
  setCookie(c, FLASH_COOKIE, encodeURIComponent(JSON.stringify(value)), { ...COOKIE, maxAge: 60 });
}

/** The message an action left for the page it redirected to, shown once. */
function takeFlash(c: DashboardContext): Flash | undefined {
  const raw = getCookie(c, FLASH_COOKIE);
  if (!raw) return undefined;
  deleteCookie(c, FLASH_COOKIE, COOKIE);
  try {
    const value = JSON.parse(decodeURIComponent(raw)) as Partial<Flash>;
    if (
      (value.tone === 'ok' || value.tone === 'bad' || value.tone === 'info') &&
      typeof value.text === 'string'
    )
      return { tone: value.tone, text: value.text.slice(0, 300) };
  } catch {}
  return undefined;
}

/** Back to `to` after an action, with what the API said as the flash. */
function after<T>(c: DashboardContext, result: ApiResult<T>, to: string, ok: (data: T) => string) {
  flash(c, result.ok ? { tone: 'ok', text: ok(result.data) } : { tone: 'bad', text: result.problem.detail });
  return c.redirect(to, 303);
}

/** A page's API failure as the page a browser shows: the API's 4xx as it is, its 5xx as a 503. */
function failed(c: DashboardContext, result: Extract<ApiResult<unknown>, { ok: false }>) {
  if (result.status >= 500)
    return c.html(
      <ErrorPage
        status={503}
        title="The admin API could not answer"
        detail={result.problem.detail}
        csrf={c.get('csrf')}
      />,
      503,
    );
  return refuse(
    c,
    result.status as ContentfulStatusCode,
    result.problem.title,
    result.problem.detail,
    result.problem.code,
  );
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

// --- assets (no session: they hold no data, and the sign-in page needs them) --------------------
// Registered before the guard below, so they answer before it would run.

const asset = (body: string, type: string) => (c: DashboardContext) =>
  c.body(body, 200, {
    'content-type': `${type}; charset=utf-8`,
    'cache-control': c.req.query('v') === ASSET_VERSION ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
dashboard.get('/ui/assets/app.css', asset(CSS, 'text/css'));
dashboard.get('/ui/assets/app.js', asset(SCRIPT, 'text/javascript'));

for (const path of ['/', '/login', '/logout', '/ui/*']) dashboard.use(path, pageHeaders);
dashboard.use('/', guard);
dashboard.use('/ui/*', guard);

// --- sign in and out ------------------------------------------------------------------------------

dashboard.get('/login', async (c) => {
  const session = await readSession(c.env.ADMIN_TOKEN, getCookie(c, SESSION_COOKIE), Date.now());
  if (session) return c.redirect(safeNext(c.req.query('next')), 303);
  return c.html(
    <LoginPage next={safeNext(c.req.query('next'))} signedOut={c.req.query('signed_out') === '1'} />,
  );
});

dashboard.post('/login', async (c) => {
  // Sign-in has no session to bind a token to; the origin check keeps another site from signing
  // the browser in to a session of its choosing.
  if (!sameOrigin(c)) return refuse(c, 403, 'Refused', 'Sign in from this dashboard’s own page.', 'csrf');
  const form = await c.req.parseBody();
  const next = safeNext(form.next);
  const address = c.req.header('cf-connecting-ip');
  const wait = address ? signInFailures.retryAfter(address, Date.now()) : 0;
  if (wait > 0) {
    c.header('retry-after', String(wait));
    return c.html(<LoginPage next={next} error={`Too many wrong tokens; try again in ${wait} s.`} />, 429);
  }
  if (!(await isAdminToken(c.env, text(form.token)))) {
    if (address) signInFailures.fail(address, Date.now());
    return c.html(<LoginPage next={next} error="That is not the admin token." />, 401);
  }
  setCookie(c, SESSION_COOKIE, await issueSession(c.env.ADMIN_TOKEN, Date.now()), {
    ...COOKIE,
    maxAge: SESSION_SECONDS,
  });
  return c.redirect(next, 303);
});

// Signing out changes state, so it is a POST like every other action; a bookmarked GET asks first.
dashboard.get('/logout', guard, (c) => c.html(<SignOutPage csrf={c.get('csrf')} />));

dashboard.post('/logout', guard, (c) => {
  deleteCookie(c, SESSION_COOKIE, COOKIE);
  return c.redirect('/admin/login?signed_out=1', 303);
});

// --- events ---------------------------------------------------------------------------------------

const choices = {
  sources: Object.keys(config.sources).sort(),
  destinations: Object.keys(config.destinations).sort(),
  statuses: [...EVENT_STATUS_LIST],
  deliveryStatuses: [...DELIVERY_STATUS_LIST],
};

dashboard.get('/', async (c) => {
  const filter = filterOf(c.req.query());
  const cursor = c.req.query('cursor') || undefined;
  const limit = /^\d{1,3}$/.test(c.req.query('limit') ?? '') ? c.req.query('limit') : undefined;
  const result = await client(c).get<EventPageData>('/events', {
    ...apiFilter(filter),
    cursor,
    limit: limit ?? '50',
  });
  const status = result.ok ? 200 : result.status >= 500 ? 503 : 400;
  return c.html(
    <EventsPage
      csrf={c.get('csrf')}
      flash={takeFlash(c)}
      now={Date.now()}
      filter={filter}
      cursor={cursor}
      limit={limit}
      result={result}
      choices={choices}
      idempotencyKey={crypto.randomUUID()}
    />,
    status,
  );
});

dashboard.get('/ui/events', (c) => c.redirect(withFilter('/admin', filterOf(c.req.query())), 303));

dashboard.get('/ui/events/:id', async (c) => {
  const result = await client(c).get<EventDetail>(`/events/${encodeURIComponent(c.req.param('id'))}`);
  if (!result.ok) return failed(c, result);
  return c.html(<EventPage event={result.data} csrf={c.get('csrf')} flash={takeFlash(c)} now={Date.now()} />);
});

dashboard.post('/ui/events/:id/replay', async (c) => {
  const id = c.req.param('id');
  const form = await c.req.parseBody();
  const destination = text(form.destination);
  const all = text(form.all) === 'true';
  const result = await client(c).post<{ count: number }>(
    withFilter(
      `/events/${encodeURIComponent(id)}/replay`,
      {},
      { destination, all: all ? 'true' : undefined },
    ),
  );
  return after(c, result, `/admin/ui/events/${encodeURIComponent(id)}`, () =>
    destination ? `Replaying to ${destination}.` : all ? 'Delivering again everywhere.' : 'Replaying.',
  );
});

// --- bulk replay ----------------------------------------------------------------------------------

dashboard.post('/ui/replay-jobs', async (c) => {
  const form = await c.req.parseBody();
  const filter = filterOf(Object.fromEntries(Object.entries(form).map(([key, value]) => [key, text(value)])));
  const destination = text(form.destination);
  const key = text(form._idempotency);
  const result = await client(c).post<{ job: ReplayJob }>(
    '/replay-jobs',
    { filter: apiFilter(filter), all: text(form.all) === 'true', ...(destination ? { destination } : {}) },
    /^[\x21-\x7e]{1,200}$/.test(key) ? { 'idempotency-key': key } : {},
  );
  if (!result.ok) return after(c, result, withFilter('/admin', filter), () => '');
  flash(c, {
    tone: 'info',
    text: `${result.data.job.matched.toLocaleString('en-US')} event(s) matched; replaying.`,
  });
  return c.redirect(`/admin/ui/replay-jobs/${encodeURIComponent(result.data.job.id)}`, 303);
});

dashboard.get('/ui/replay-jobs', async (c) => {
  const result = await client(c).get<JobPage>('/replay-jobs', { cursor: c.req.query('cursor'), limit: '50' });
  if (!result.ok) return failed(c, result);
  return c.html(
    <JobsPage
      jobs={result.data.jobs}
      next={result.data.next_cursor}
      csrf={c.get('csrf')}
      flash={takeFlash(c)}
      now={Date.now()}
    />,
  );
});

dashboard.get('/ui/replay-jobs/:id', async (c) => {
  const result = await client(c).get<{ job: ReplayJob }>(
    `/replay-jobs/${encodeURIComponent(c.req.param('id'))}`,
  );
  if (!result.ok) return failed(c, result);
  return c.html(
    <ReplayJobPage job={result.data.job} csrf={c.get('csrf')} flash={takeFlash(c)} now={Date.now()} />,
  );
});

/** What the job page's script polls: the API's answer as it is, behind the session. */
dashboard.get('/ui/replay-jobs/:id/progress', async (c) => {
  const result = await client(c).get<{ job: ReplayJob }>(
    `/replay-jobs/${encodeURIComponent(c.req.param('id'))}`,
  );
  return result.ok
    ? c.json(result.data)
    : c.json(result.problem, result.status === 404 ? 404 : 503, {
        'content-type': 'application/problem+json',
      });
});

dashboard.post('/ui/replay-jobs/:id/cancel', async (c) => {
  const id = encodeURIComponent(c.req.param('id'));
  const result = await client(c).post<{ job: ReplayJob }>(`/replay-jobs/${id}/cancel`);
  return after(c, result, `/admin/ui/replay-jobs/${id}`, ({ job }) =>
    job.status === 'canceled'
      ? 'Canceled: no further chunk starts.'
      : `The job had already ended (${job.status}).`,
  );
});

// --- destinations ---------------------------------------------------------------------------------

dashboard.get('/ui/destinations', async (c) => {
  const result = await client(c).get<{ destinations: Destination[] }>('/destinations');
  if (!result.ok) return failed(c, result);
  return c.html(
    <DestinationsPage
      destinations={result.data.destinations}
      csrf={c.get('csrf')}
      flash={takeFlash(c)}
      now={Date.now()}
    />,
  );
});

dashboard.post('/ui/destinations/:name/:action{pause|resume}', async (c) => {
  const name = c.req.param('name');
  const action = c.req.param('action') as 'pause' | 'resume';
  const result = await client(c).post<{ resent?: number }>(
    `/destinations/${encodeURIComponent(name)}/${action}`,
  );
  return after(c, result, '/admin/ui/destinations', (data) =>
    action === 'pause'
      ? `${name} paused: its deliveries wait until you resume it.`
      : `${name} resumed${data.resent ? `; ${data.resent} waiting deliveries sent` : ''}.`,
  );
});

// --- stats ----------------------------------------------------------------------------------------

dashboard.get('/ui/stats', async (c) => {
  const query = {
    from: c.req.query('from') || undefined,
    to: c.req.query('to') || undefined,
    source: c.req.query('source') || undefined,
    campaign: c.req.query('campaign') || undefined,
  };
  const api = client(c);
  const [funnel, cohorts, latency] = await Promise.all([
    api.get<Funnel>('/stats/funnel', query),
    api.get<Cohorts>('/stats/cohorts', { ...query, campaign: undefined }),
    api.get<Latency>('/stats/latency', { ...query, campaign: undefined }),
  ]);
  return c.html(
    <StatsPage
      query={query}
      sources={choices.sources}
      funnel={funnel}
      cohorts={cohorts}
      latency={latency}
      csrf={c.get('csrf')}
      flash={takeFlash(c)}
    />,
    funnel.ok ? 200 : funnel.status >= 500 ? 503 : 400,
  );
});

// --- erasure --------------------------------------------------------------------------------------

dashboard.get('/ui/erase', (c) => c.html(<EraseForm csrf={c.get('csrf')} flash={takeFlash(c)} />));

async function who(c: DashboardContext): Promise<Who | string> {
  const form = await c.req.parseBody();
  const email = text(form.email);
  const phone = text(form.phone);
  if (email && phone) return 'Give an email or a phone, not both: each names one person.';
  if (!email && !phone) return 'Give the email or the phone of the person to erase.';
  return email ? { email } : { phone };
}

dashboard.post('/ui/erase', async (c) => {
  const person = await who(c);
  if (typeof person === 'string') return c.html(<EraseForm csrf={c.get('csrf')} error={person} />, 400);
  const found = await client(c).get<EventPageData>('/events', { ...person, limit: '200' });
  if (!found.ok)
    return c.html(<EraseForm csrf={c.get('csrf')} error={found.problem.detail} who={person} />, 400);
  return c.html(
    <EraseConfirm
      csrf={c.get('csrf')}
      who={person}
      events={found.data.events.length}
      more={found.data.next_cursor !== null}
    />,
  );
});

dashboard.post('/ui/erase/confirm', async (c) => {
  const person = await who(c);
  if (typeof person === 'string') return c.html(<EraseForm csrf={c.get('csrf')} error={person} />, 400);
  if (text((await c.req.parseBody()).confirm) !== 'yes')
    return c.html(
      <EraseForm csrf={c.get('csrf')} error="Tick the confirmation to erase." who={person} />,
      400,
    );
  const result = await client(c).post<Erased>('/erase', person);
  if (!result.ok)
    return c.html(<EraseForm csrf={c.get('csrf')} error={result.problem.detail} who={person} />, 400);
  return c.html(<EraseDone csrf={c.get('csrf')} who={person} result={result.data} />);
});

// Last: a mistyped dashboard URL is a page that says so, not the JSON API's 401 behind it.
dashboard.all('/ui/*', (c) =>
  refuse(c, 404, 'No such page', 'Nothing of the dashboard lives at this address.', 'not_found'),
);

dashboard.onError((error, c) => {
  // The API's own failures come back as results; this is a bug in a page. No stack, no message.
  log.error('dashboard page failed', { path: c.req.path, error: error.name });
  return c.html(
    <ErrorPage
      status={500}
      title="This page failed"
      detail="Something went wrong rendering it; the log has the error class."
    />,
    500,
  );
});
