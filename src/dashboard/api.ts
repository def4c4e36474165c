/**
 * The dashboard's only way to data: the JSON admin API (docs/admin-api.md), called in-process, so
 * what an operator sees and may do in a browser is exactly what the CLI sees and may do. The API is
 * mounted under /admin in a small app of its own, as src/app.ts mounts it.
 */
import { Hono } from 'hono';
import type * as v from 'valibot';
import { admin } from '../routes/admin';
import type * as s from '../routes/admin-schemas';

// Mounted where src/app.ts mounts it, so the admin app sees the paths it sees in production; its
// errors become problems by the admin app's own handler, the app's (src/routes/problem.ts).
const api = new Hono<{ Bindings: Env }>();
api.route('/admin', admin);

/** What the API answers when it refuses: RFC 9457 with a stable `code`. */
export interface ApiProblem {
  status: number;
  code: string;
  title: string;
  detail: string;
  issues?: { path: string; message: string }[];
}

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; problem: ApiProblem };

export interface AdminClient {
  /** `path` as docs/admin-api.md writes it, under /admin: `/events`, `/stats/funnel`. */
  get<T>(path: string, query?: Record<string, string | undefined>): Promise<ApiResult<T>>;
  post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResult<T>>;
}

/** The execution context a request runs in (Hono's type of it), for the API's waitUntil work. */
export type RequestContext = Parameters<typeof api.request>[3];

/** A client bound to this request's bindings and execution context. */
export function adminClient(env: Env, ctx: RequestContext): AdminClient {
  const call = async <T>(path: string, init: RequestInit): Promise<ApiResult<T>> => {
    const response = await api.request(
      `/admin${path}`,
      {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${env.ADMIN_TOKEN}` },
      },
      env,
      ctx,
    );
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = undefined;
    }
    if (response.ok && body !== undefined) return { ok: true, status: response.status, data: body as T };
    const problem = (body ?? {}) as Partial<ApiProblem>;
    return {
      ok: false,
      status: response.status,
      problem: {
        status: response.status,
        code: problem.code ?? (response.status === 404 ? 'not_found' : 'internal_error'),
        title: problem.title ?? `HTTP ${response.status}`,
        detail: problem.detail ?? 'The admin API gave no explanation.',
        ...(problem.issues ? { issues: problem.issues } : {}),
      },
    };
  };
  return {
    get: (path, query = {}) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value) params.set(key, value);
      const search = params.toString();
      return call(search ? `${path}?${search}` : path, { method: 'GET' });
    },
    post: (path, body, headers = {}) =>
      call(path, {
        method: 'POST',
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
}

// The answers, typed from the API's own answer schemas: a field the API renames or drops breaks
// the dashboard's type check, not a page at run time.
export type EventPage = v.InferOutput<typeof s.EventListSchema>;
export type EventSummary = EventPage['events'][number];
export type EventDetail = v.InferOutput<typeof s.EventDetailSchema>;
export type DeliveryView = EventDetail['deliveries'][number];
export type AttemptView = EventDetail['attempts'][number];
export type ReplayJob = v.InferOutput<typeof s.JobSchema>;
export type JobPage = v.InferOutput<typeof s.JobListSchema>;
export type Destination = v.InferOutput<typeof s.DestinationsSchema>['destinations'][number];
export type Funnel = v.InferOutput<typeof s.FunnelSchema>;
export type FunnelRow = Funnel['rows'][number];
export type Cohorts = v.InferOutput<typeof s.CohortsSchema>;
export type Latency = v.InferOutput<typeof s.LatencySchema>;
export type Erased = v.InferOutput<typeof s.ErasedSchema>;
export type Alert = v.InferOutput<typeof s.AlertsSchema>['alerts'][number];
/**
 * The funnel's stages, as the dashboard stacks them (delivered at the bottom, trouble above). The
 * FunnelSchema's own type is wider than its keys, so this list is checked against the answer by
 * `FunnelRow` below instead.
 */
export const FUNNEL_STAGES = [
  'delivered',
  'partial',
  'pending',
  'dead',
  'invalid',
  'unrouted',
  'ignored',
  'merged',
] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number] & keyof FunnelRow;
