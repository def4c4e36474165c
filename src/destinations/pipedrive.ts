/**
 * Pipedrive persons over API v2 (the v1 persons and search endpoints are out of support), with an
 * API token. One person per lead: update the stored id, else find by exact email then phone
 * search, else create; the company becomes a linked organisation, found or created once a batch.
 * Leads go one after another: Pipedrive's 2-second window is small, and a parallel burst would
 * spend it on the first group alone.
 */
import type { Lead } from '../leads/lead';
import type { ErrorClass } from '../lib/outcome';
import { type FieldValue, type LeadPath, mapFields } from './fields';
import { call, jsonOf, numberHeader, outcome, paceFrom, reasonCode } from './http';
import type { DeliveryContext, DeliveryOutcome, DeliveryRequest, Destination } from './types';

/** How one Pipedrive company account receives leads. */
export interface PipedriveOptions {
  /** `https://<company>.pipedrive.com` (or a fake's URL); `/api/v2/...` is appended. */
  baseUrl: string;
  token: string;
  /** Pipedrive custom-field keys (40-hex hashes) → lead paths, sent under `custom_fields`. */
  fields: Readonly<Record<string, LeadPath>>;
  /** Extra person body fields, such as `owner_id` or `visible_to`. */
  constants: Readonly<Record<string, FieldValue>>;
  /** Lead tag (`campaign:webinar-2026`) → Pipedrive person label id. */
  labels: Readonly<Record<string, number>>;
}

type Answer = { response: Response; body: unknown };
type Sent = { ok: true; answer: Answer } | { ok: false; outcome: DeliveryOutcome };
type Found = { ok: true; id: number | undefined } | { ok: false; outcome: DeliveryOutcome };
type Phase = 'organization' | 'search' | 'update' | 'create';

/** Which keys this adapter sent, so an error may name them and nothing a CRM could have echoed. */
interface SentKeys {
  top: readonly string[];
  custom: readonly string[];
  constants: readonly string[];
}

const NOT_EXISTING = /does not exist|doesn't exist|not found|unknown/i;

/** The Pipedrive destination: see the file comment for the order of calls. */
export function pipedriveDestination(name: string, options: PipedriveOptions): Destination {
  const base = `${options.baseUrl.replace(/\/+$/, '')}/api/v2`;
  // Lives as long as this object, i.e. one batch: a company seen twice is looked up once.
  const organizations = new Map<string, number>();

  async function send(
    context: DeliveryContext,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body?: unknown,
  ): Promise<Sent> {
    const headers: Record<string, string> = {
      'x-api-token': options.token,
      accept: 'application/json',
      'user-agent': 'Inlet/1',
    };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const result = await call(`${base}${path}`, init, context.timeoutMs);
    if (!result.ok) return result;
    return { ok: true, answer: { response: result.response, body: await jsonOf(result.response) } };
  }

  async function organization(
    company: string,
    context: DeliveryContext,
    started: number,
  ): Promise<{ ok: true; id: number } | { ok: false; outcome: DeliveryOutcome }> {
    const key = company.trim().toLowerCase();
    const cached = organizations.get(key);
    if (cached !== undefined) return { ok: true, id: cached };
    const query = new URLSearchParams({ term: company.trim(), fields: 'name', exact_match: 'true' });
    const searched = await send(context, 'GET', `/organizations/search?${query}`);
    if (!searched.ok) return { ok: false, outcome: withTotal(searched.outcome, started) };
    if (!isSuccess(searched.answer))
      return { ok: false, outcome: failure(searched.answer, 'organization', NO_KEYS, context, started) };
    let id = firstItemId(searched.answer.body);
    if (id === undefined) {
      const created = await send(context, 'POST', '/organizations', { name: company.trim() });
      if (!created.ok) return { ok: false, outcome: withTotal(created.outcome, started) };
      if (!isSuccess(created.answer))
        return {
          ok: false,
          outcome: failure(created.answer, 'organization', ORGANIZATION_KEYS, context, started),
        };
      id = dataId(created.answer.body);
      if (id === undefined)
        return { ok: false, outcome: unreadable(created.answer, 'organization', context, started) };
    }
    organizations.set(key, id);
    return { ok: true, id };
  }

  async function find(
    lead: Lead,
    exclude: number | undefined,
    context: DeliveryContext,
    started: number,
  ): Promise<Found> {
    const terms: ['email' | 'phone', string][] = [];
    if (lead.email) terms.push(['email', lead.email]);
    if (lead.phone) terms.push(['phone', lead.phone]);
    for (const [field, term] of terms) {
      const query = new URLSearchParams({ term, fields: field, exact_match: 'true' });
      const searched = await send(context, 'GET', `/persons/search?${query}`);
      if (!searched.ok) return { ok: false, outcome: withTotal(searched.outcome, started) };
      if (!isSuccess(searched.answer))
        return { ok: false, outcome: failure(searched.answer, 'search', NO_KEYS, context, started) };
      const items = itemIds(searched.answer.body);
      // A 2xx we cannot read must not look like "not found": that would create a second person.
      if (items === undefined)
        return { ok: false, outcome: unreadable(searched.answer, 'search', context, started) };
      // The index lags deletes and merges: the id that just answered 404 may still be listed.
      const id = items.find((candidate) => candidate !== exclude);
      if (id !== undefined) return { ok: true, id };
    }
    return { ok: true, id: undefined };
  }

  async function deliverOne(request: DeliveryRequest, context: DeliveryContext): Promise<DeliveryOutcome> {
    const started = Date.now();
    const { lead } = request;
    let orgId: number | undefined;
    if (lead.company?.trim()) {
      const org = await organization(lead.company, context, started);
      if (!org.ok) return org.outcome;
      orgId = org.id;
    }
    const update = personBody(lead, orgId, options, false);
    const keys = sentKeys(update, options);

    const patch = async (id: number): Promise<DeliveryOutcome | 'gone'> => {
      const patched = await send(context, 'PATCH', `/persons/${id}`, update);
      if (!patched.ok) return withTotal(patched.outcome, started);
      if (patched.answer.response.status === 404) return 'gone';
      if (!isSuccess(patched.answer)) return failure(patched.answer, 'update', keys, context, started);
      return success(patched.answer, 'updated', dataId(patched.answer.body) ?? id, context, started);
    };

    // A stored id that is not a Pipedrive id cannot be patched: resolve the person afresh.
    const stored = request.person.recordId;
    const storedId = stored && /^\d{1,15}$/.test(stored) ? Number(stored) : undefined;
    if (storedId !== undefined) {
      const patched = await patch(storedId);
      if (patched !== 'gone') return patched;
    }
    const found = await find(lead, storedId, context, started);
    if (!found.ok) return found.outcome;
    if (found.id !== undefined) {
      const patched = await patch(found.id);
      if (patched !== 'gone') return patched;
    }
    const create = personBody(lead, orgId, options, true);
    const created = await send(context, 'POST', '/persons', create);
    if (!created.ok) return withTotal(created.outcome, started);
    if (!isSuccess(created.answer))
      return failure(created.answer, 'create', sentKeys(create, options), context, started);
    return success(created.answer, 'created', dataId(created.answer.body), context, started);
  }

  return {
    name,
    type: 'pipedrive',
    async deliver(requests, context) {
      const outcomes: DeliveryOutcome[] = [];
      // After a 401/403 or a 429 every further call fails the same way and spends the window.
      let halt: DeliveryOutcome | undefined;
      for (const request of requests) {
        if (halt) {
          outcomes.push({ ...halt, reason: `not sent after ${halt.reason}`, durationMs: 0 });
          continue;
        }
        let result: DeliveryOutcome;
        try {
          result = await deliverOne(request, context);
        } catch {
          result = {
            errorClass: 'server_error',
            httpStatus: null,
            reason: 'unexpected answer',
            durationMs: 0,
          };
        }
        outcomes.push(result);
        if (result.httpStatus === 429 || result.httpStatus === 401 || result.httpStatus === 403)
          halt = result;
      }
      return outcomes;
    },
  };
}

const NO_KEYS: SentKeys = { top: [], custom: [], constants: [] };
const ORGANIZATION_KEYS: SentKeys = { top: ['name'], custom: [], constants: [] };

/**
 * The v2 person body. `name` is required on create only: an update of a lead that has no name
 * leaves the name a user may have typed in Pipedrive alone.
 */
function personBody(
  lead: Lead,
  orgId: number | undefined,
  options: PipedriveOptions,
  create: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const given = [lead.first_name, lead.last_name].filter(Boolean).join(' ');
  const name = lead.full_name?.trim() || given.trim() || undefined;
  const fallback = lead.email?.split('@')[0] || lead.phone;
  if (name) body.name = name;
  else if (create && fallback) body.name = fallback;
  if (lead.email) body.emails = [{ value: lead.email, primary: true, label: 'work' }];
  if (lead.phone) body.phones = [{ value: lead.phone, primary: true, label: 'work' }];
  if (orgId !== undefined) body.org_id = orgId;
  const labelIds = [...new Set(lead.tags.flatMap((tag) => options.labels[tag] ?? []))];
  if (labelIds.length) body.label_ids = labelIds;
  const custom = mapFields(lead, options.fields);
  if (Object.keys(custom).length) body.custom_fields = custom;
  // A constant wins, as in every adapter: it is what the user asked to always send.
  return { ...body, ...options.constants };
}

function sentKeys(body: Record<string, unknown>, options: PipedriveOptions): SentKeys {
  const custom = body.custom_fields;
  return {
    top: Object.keys(body),
    custom: custom && typeof custom === 'object' ? Object.keys(custom) : [],
    constants: Object.keys(options.constants),
  };
}

const isSuccess = (answer: Answer): boolean => answer.response.status >= 200 && answer.response.status < 300;

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

const asId = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;

/** `data.id` of a create or update answer. */
const dataId = (body: unknown): number | undefined => asId(asRecord(asRecord(body)?.data)?.id);

/** The ids of `data.items[].item` in a v2 search answer; undefined when the answer is not one. */
function itemIds(body: unknown): number[] | undefined {
  const items = asRecord(asRecord(body)?.data)?.items;
  if (!Array.isArray(items)) return undefined;
  return items.flatMap((entry) => asId(asRecord(asRecord(entry)?.item)?.id) ?? []);
}

const firstItemId = (body: unknown): number | undefined => itemIds(body)?.[0];

/** Seconds until the next midnight UTC, when Pipedrive resets the daily budget. */
function untilMidnightUtc(nowMs: number): number {
  const now = new Date(nowMs);
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - nowMs) / 1000));
}

/** Hold before Pipedrive has to say 429: the 2-second window nearly spent, or no daily budget left. */
function paceOf(response: Response, context: DeliveryContext): number | undefined {
  const window = paceFrom(
    numberHeader(response, 'x-ratelimit-remaining'),
    numberHeader(response, 'x-ratelimit-limit'),
    numberHeader(response, 'x-ratelimit-reset'),
  );
  const daily =
    numberHeader(response, 'x-daily-requests-left') === 0 ? untilMidnightUtc(context.nowMs) : undefined;
  if (window === undefined) return daily;
  return daily === undefined ? window : Math.max(window, daily);
}

const withTotal = (result: DeliveryOutcome, started: number): DeliveryOutcome => ({
  ...result,
  durationMs: Date.now() - started,
});

function success(
  answer: Answer,
  action: 'created' | 'updated',
  id: number | undefined,
  context: DeliveryContext,
  started: number,
): DeliveryOutcome {
  const paceSeconds = paceOf(answer.response, context);
  return outcome(answer.response, 'ok', `HTTP ${answer.response.status} ${action}`, Date.now() - started, {
    ...(id === undefined ? {} : { recordId: String(id) }),
    ...(paceSeconds === undefined ? {} : { paceSeconds }),
  });
}

function unreadable(
  answer: Answer,
  phase: Phase,
  context: DeliveryContext,
  started: number,
): DeliveryOutcome {
  const paceSeconds = paceOf(answer.response, context);
  return outcome(
    answer.response,
    'server_error',
    `HTTP ${answer.response.status} unreadable ${phase} answer`,
    Date.now() - started,
    paceSeconds === undefined ? {} : { paceSeconds },
  );
}

/** A key path from an error message, kept only when it starts with a key this adapter sent. */
function knownPath(path: string, keys: SentKeys): string | undefined {
  const segments = path.split('.');
  const [head, next] = segments;
  if (head === undefined || !segments.every((segment) => /^[A-Za-z0-9_]{1,40}$/.test(segment)))
    return undefined;
  if (head === 'custom_fields')
    return next !== undefined && keys.custom.includes(next) ? `custom_fields.${next}` : 'custom_fields';
  if (keys.custom.includes(head)) return `custom_fields.${head}`;
  return keys.top.includes(head) ? segments.slice(0, 4).join('.') : undefined;
}

/**
 * What a 400 says is wrong on our side (the same for every lead), named by key: an unknown
 * parameter or custom-field key, a label, organisation or owner that does not exist, or a bad
 * constant. Undefined when the error is about this lead's values.
 */
function configProblem(message: string, keys: SentKeys): string | undefined {
  const notAllowed = [...message.matchAll(/Parameter '([^']{1,200})' is not allowed/g)].map(
    (m) => m[1] ?? '',
  );
  if (notAllowed.length) {
    const known = notAllowed.map((path) => knownPath(path, keys)).find((path) => path !== undefined);
    return known ? `unknown field ${known}` : 'unknown field';
  }
  if (NOT_EXISTING.test(message)) {
    const custom = keys.custom.find((key) => message.includes(key));
    if (custom) return `unknown field custom_fields.${custom}`;
    if (/label/i.test(message)) return 'unknown label_ids';
    if (/organi[sz]ation|org_id/i.test(message)) return 'unknown org_id';
    if (/owner|user/i.test(message)) return 'unknown owner_id';
  }
  const constant = keys.constants.find((key) =>
    new RegExp(`(^|[^A-Za-z0-9_])${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9_]|$)`).test(
      message,
    ),
  );
  return constant ? `invalid ${constant}` : undefined;
}

/** Classifies a non-2xx answer (the error body is read for codes and key names, never kept). */
function failure(
  answer: Answer,
  phase: Phase,
  keys: SentKeys,
  context: DeliveryContext,
  started: number,
): DeliveryOutcome {
  const { response } = answer;
  const { status } = response;
  const body = asRecord(answer.body);
  const message = typeof body?.error === 'string' ? body.error : '';
  const code = reasonCode(typeof body?.code === 'string' ? body.code : '');
  const withCode = (text: string) => (code ? `${text} ${code}` : text);
  const paceSeconds = paceOf(response, context);
  const extra: Partial<Pick<DeliveryOutcome, 'paceSeconds' | 'retryAfterSeconds'>> =
    paceSeconds === undefined ? {} : { paceSeconds };
  const result = (errorClass: ErrorClass, reason: string) =>
    outcome(response, errorClass, reason, Date.now() - started, extra);

  if (status === 401) return result('config_error', 'HTTP 401 unauthorized');
  if (status === 403) return result('config_error', withCode('HTTP 403 forbidden'));
  if (status === 408) return result('request_timeout', 'HTTP 408');
  if (status === 429) {
    const limited = result('rate_limited', `HTTP 429 ${phase === 'search' ? 'search ' : ''}rate limit`);
    if (limited.retryAfterSeconds !== undefined) return limited;
    const daily = numberHeader(response, 'x-daily-requests-left') === 0;
    const reset = numberHeader(response, 'x-ratelimit-reset');
    const retryAfterSeconds = daily
      ? untilMidnightUtc(context.nowMs)
      : reset === undefined
        ? undefined
        : Math.max(1, Math.ceil(reset));
    return retryAfterSeconds === undefined ? limited : { ...limited, retryAfterSeconds };
  }
  if (status >= 500) return result('server_error', withCode(`HTTP ${status}`));
  // A missing endpoint or organisation is our configuration (base URL, account), for every lead.
  if (status === 404 || status === 405 || status === 410)
    return result('config_error', withCode(`HTTP ${status} ${phase} not found`));
  if (status === 400 || status === 422) {
    const problem = configProblem(message, keys);
    if (problem) return result('config_error', `${withCode(`HTTP ${status}`)} ${problem}`);
    const path = /Validation failed: ([^:\s]{1,200}):/.exec(message)?.[1];
    const field = path === undefined ? undefined : knownPath(path, keys);
    return result('client_error', `${withCode(`HTTP ${status}`)}${field ? ` (${field})` : ''}`);
  }
  return result('client_error', withCode(`HTTP ${status}`));
}
