/** The pieces every dashboard page is made of: the page shell, status badges, times, empty states. */
import { raw } from 'hono/html';
import type { Child, FC, PropsWithChildren } from 'hono/jsx';
import { ASSET_VERSION } from './assets';

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'odd' | 'none';

/** One colour per outcome, the same on every page: green delivered, amber waiting, red dead. */
const TONES: Record<string, Tone> = {
  delivered: 'ok',
  active: 'ok',
  done: 'ok',
  partial: 'warn',
  retrying: 'warn',
  paused: 'bad',
  held: 'warn',
  canceled: 'warn',
  dead: 'bad',
  invalid: 'odd',
  queued: 'info',
  routing: 'info',
  delivering: 'info',
  running: 'info',
  open: 'bad',
  closed: 'none',
};

export const toneOf = (status: string): Tone => TONES[status] ?? 'none';

export const Badge: FC<{ status: string; label?: string }> = ({ status, label }) => (
  <span class={`badge ${toneOf(status)}`}>{label ?? status}</span>
);

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-12-03 10:42:11` in UTC: operators compare times with logs, which are in UTC. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function relativeTime(iso: string, nowMs: number): string {
  const seconds = Math.round((nowMs - new Date(iso).getTime()) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  const text =
    s < 45
      ? `${s}s`
      : s < 3600
        ? `${Math.round(s / 60)} min`
        : s < 86_400
          ? `${Math.round(s / 3600)} h`
          : `${Math.round(s / 86_400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

/** A time as the operator reads it first (how long ago), with the exact UTC time on hover. */
export const Time: FC<{ iso: string | null | undefined; now: number; exact?: boolean }> = ({
  iso,
  now,
  exact,
}) =>
  iso ? (
    <time datetime={iso} title={`${formatTime(iso)} UTC`} class="nowrap">
      {exact ? `${formatTime(iso)} UTC` : relativeTime(iso, now)}
    </time>
  ) : (
    <span class="faint">—</span>
  );

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 0) return '> 1 d';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

export const num = (n: number | null | undefined): string => (n ?? 0).toLocaleString('en-US');

export const Empty: FC<{ title: string; children?: Child }> = ({ title, children }) => (
  <div class="empty">
    <svg
      width="36"
      height="36"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="1.5"
      aria-hidden="true"
    >
      <path d="M3 7l9-4 9 4-9 4-9-4z" />
      <path d="M3 12l9 4 9-4" />
      <path d="M3 17l9 4 9-4" />
    </svg>
    <h3>{title}</h3>
    {children ? <p>{children}</p> : null}
  </div>
);

export const Csrf: FC<{ token: string }> = ({ token }) => <input type="hidden" name="_csrf" value={token} />;

/** A one-button POST form: every state change in the dashboard is a POST carrying the CSRF token. */
export const PostButton: FC<{
  action: string;
  csrf: string;
  label: string;
  class?: string;
  confirm?: string;
  fields?: Record<string, string>;
  testid?: string;
}> = (props) => (
  <form method="post" action={props.action} class="inline" data-confirm={props.confirm}>
    <Csrf token={props.csrf} />
    {Object.entries(props.fields ?? {}).map(([name, value]) => (
      <input type="hidden" name={name} value={value} />
    ))}
    <button type="submit" class={`btn ${props.class ?? ''}`} data-testid={props.testid}>
      {props.label}
    </button>
  </form>
);

export interface Flash {
  tone: 'ok' | 'bad' | 'info';
  text: string;
}

const NAV = [
  ['events', '/admin', 'Events'],
  ['replays', '/admin/ui/replay-jobs', 'Replays'],
  ['destinations', '/admin/ui/destinations', 'Destinations'],
  ['stats', '/admin/ui/stats', 'Funnel & stats'],
  ['erase', '/admin/ui/erase', 'Erase a person'],
] as const;

export type NavKey = (typeof NAV)[number][0];

const Logo = () => (
  <svg
    width="20"
    height="20"
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    stroke-width="2.2"
    aria-hidden="true"
  >
    <path d="M4 6h9a4 4 0 0 1 0 8H8" stroke-linecap="round" />
    <path d="M11 17l-3-3 3-3" stroke-linecap="round" stroke-linejoin="round" />
    <path d="M4 18h16" stroke-linecap="round" opacity=".45" />
  </svg>
);

const Head: FC<{ title: string }> = ({ title }) => (
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="same-origin" />
    <link rel="icon" href="data:," />
    <title>{`${title} · Inlet`}</title>
    <link rel="stylesheet" href={`/admin/ui/assets/app.css?v=${ASSET_VERSION}`} />
    <script src={`/admin/ui/assets/app.js?v=${ASSET_VERSION}`} defer />
  </head>
);

/** The shell of a signed-in page: the navigation, the sign-out form, a flash message, the content. */
export const Layout: FC<
  PropsWithChildren<{ title: string; active?: NavKey; csrf: string; flash?: Flash | undefined }>
> = ({ title, active, csrf, flash, children }) => (
  <>
    {raw('<!doctype html>')}
    <html lang="en">
      <Head title={title} />
      <body>
        <header class="topbar">
          <div class="topbar-inner">
            <a class="brand" href="/admin">
              <Logo />
              Inlet
            </a>
            <nav class="nav" aria-label="Main">
              {NAV.map(([key, href, label]) => (
                <a href={href} aria-current={key === active ? 'page' : undefined}>
                  {label}
                </a>
              ))}
            </nav>
            <form method="post" action="/admin/logout" class="signout">
              <Csrf token={csrf} />
              <button type="submit" class="btn ghost small">
                Sign out
              </button>
            </form>
          </div>
        </header>
        <main>
          {flash ? (
            <div class={`flash ${flash.tone}`} role="status">
              {flash.text}
            </div>
          ) : null}
          {children}
        </main>
      </body>
    </html>
  </>
);

/** A page outside the session: sign-in, and errors met before one exists. */
export const Bare: FC<PropsWithChildren<{ title: string }>> = ({ title, children }) => (
  <>
    {raw('<!doctype html>')}
    <html lang="en">
      <Head title={title} />
      <body>{children}</body>
    </html>
  </>
);

export const PageHead: FC<{ title: Child; sub?: Child; actions?: Child }> = ({ title, sub, actions }) => (
  <div class="page-head">
    <div>
      <h1>{title}</h1>
      {sub ? <div class="sub">{sub}</div> : null}
    </div>
    {actions ? <div class="actions">{actions}</div> : null}
  </div>
);

export const Card: FC<PropsWithChildren<{ title?: Child; actions?: Child; class?: string; id?: string }>> = (
  props,
) => (
  <section class={`card ${props.class ?? ''}`} id={props.id}>
    {props.title ? (
      <div class="card-head">
        <h2>{props.title}</h2>
        {props.actions ?? null}
      </div>
    ) : null}
    {props.children}
  </section>
);

/** Pretty JSON when it parses, the text as it came otherwise. */
export function pretty(value: unknown): string {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2) ?? 'null';
}
