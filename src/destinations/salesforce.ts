/**
 * The Salesforce destination: REST API with an OAuth 2.0 client-credentials token, one Lead or
 * Contact per person. Without an external-id field the person is found by SOQL (consistent, unlike
 * HubSpot's or Pipedrive's search) and updated, or created; with one, Salesforce's own upsert
 * decides. Error bodies are arrays `[{message, errorCode, fields?}]`: only codes and field names are
 * read from them, since messages quote the values that failed (an invalid email, a long name).
 */
import type { Lead } from '../leads/lead';
import { classifyStatus, type ErrorClass } from '../lib/outcome';
import { type FieldValue, type LeadPath, leadValue, mapFields } from './fields';
import { call, jsonOf, outcome, paceFrom, reasonCode } from './http';
import type { DeliveryContext, DeliveryOutcome, DeliveryRequest, Destination } from './types';

/** One Salesforce destination: a connected app's credentials, the object to write and the mapping. */
export interface SalesforceOptions {
  /** `https://login.salesforce.com`, `https://test.salesforce.com` or the org's My Domain URL. */
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  object: 'Lead' | 'Contact';
  /** Such as `v62.0`; from v46.0 an upsert that updates answers 200 with a body, before that 204. */
  apiVersion: string;
  /**
   * An external-id field to upsert on instead of finding the person by SOQL. Its value is the lead
   * path mapped to it in `fields` when there is one, else Inlet's person id (`person.id`), so each
   * Inlet person is one record even when it has neither email nor phone.
   */
  externalIdField?: string;
  fields: Readonly<Record<string, LeadPath>>;
  constants: Readonly<Record<string, FieldValue>>;
}

/** The standard fields of each object, which the pipeline merges the user's mapping over. */
export const SALESFORCE_DEFAULT_FIELDS: Record<'Lead' | 'Contact', Record<string, LeadPath>> = {
  Lead: {
    Email: 'email',
    FirstName: 'first_name',
    LastName: 'last_name',
    Company: 'company',
    Phone: 'phone',
    Title: 'job_title',
    Country: 'country',
    City: 'city',
  },
  Contact: {
    Email: 'email',
    FirstName: 'first_name',
    LastName: 'last_name',
    Phone: 'phone',
    Title: 'job_title',
    MailingCountry: 'country',
    MailingCity: 'city',
  },
};

/** Constants sent with every lead unless the user's configuration overrides them. */
export const SALESFORCE_DEFAULT_CONSTANTS: Record<'Lead' | 'Contact', Record<string, FieldValue>> = {
  Lead: { LeadSource: 'Web' },
  Contact: { LeadSource: 'Web' },
};

/** What a create needs that a lead may lack: Salesforce refuses a Lead without both, a Contact without LastName. */
const REQUIRED: Record<'Lead' | 'Contact', readonly string[]> = {
  Lead: ['LastName', 'Company'],
  Contact: ['LastName'],
};
const PLACEHOLDER = '[not provided]';

/**
 * Salesforce answers no `expires_in`: the org's session timeout (15 min to 24 h) decides. A token
 * that ends sooner than assumed costs one refresh on INVALID_SESSION_ID.
 */
const DEFAULT_TOKEN_LIFETIME_MS = 30 * 60_000;
const REFRESH_MARGIN_MS = 60_000;
/** Calls at a time per group: Salesforce also limits long-running concurrent requests per org. */
const CONCURRENCY = 2;
/** Held when the daily allocation is spent: it is a rolling 24 h window, so an hour frees some of it. */
const LIMIT_EXCEEDED_RETRY_SECONDS = 3600;
const PACE_SECONDS = 300;

/** Codes that say our configuration is wrong: every lead would fail the same way. */
const CONFIG_CODES = new Set([
  'INVALID_FIELD',
  'INVALID_FIELD_FOR_INSERT_UPDATE',
  'INVALID_TYPE',
  'NOT_FOUND',
  'MALFORMED_QUERY',
  'JSON_PARSER_ERROR',
  'INVALID_SESSION_ID',
  'API_DISABLED_FOR_ORG',
  'INVALID_CROSS_REFERENCE_KEY',
]);
/** A stored record id that no longer names a live record: find the person again. */
const GONE_CODES = new Set(['NOT_FOUND', 'ENTITY_IS_DELETED', 'MALFORMED_ID', 'INVALID_ID_FIELD']);

interface Session {
  accessToken: string;
  instanceUrl: string;
  expiresAtMs: number;
}
type SessionResult = { ok: true; session: Session } | { ok: false; outcome: DeliveryOutcome };

// Isolate-lifetime caches, keyed by loginUrl + clientId: every destination of one connected app
// shares a token, and concurrent deliveries share one token request.
const sessions = new Map<string, Session>();
const pendingSessions = new Map<string, Promise<SessionResult>>();

interface Answer {
  response: Response;
  status: number;
  data: unknown;
}
type ApiResult = { ok: true; answer: Answer } | { ok: false; outcome: DeliveryOutcome };

/** Per delivery request: the one token refresh it may spend, and the last usage header it saw. */
interface Attempt {
  refreshed: boolean;
  usage?: { used: number; limit: number };
}

interface SfError {
  errorCode?: unknown;
  message?: unknown;
  fields?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const errorsOf = (data: unknown): SfError[] =>
  Array.isArray(data) ? data.filter(isObject) : isObject(data) ? [data] : [];

const codesOf = (answer: Answer): string[] => [
  ...new Set(
    errorsOf(answer.data)
      .map((e) => reasonCode(e.errorCode))
      .filter(Boolean),
  ),
];

/**
 * Field names of the errors: `fields` when given, else the name INVALID_FIELD quotes in "No such
 * column 'X' on sobject of type Lead" (it names our mapping's field, never a lead value).
 */
function fieldsOf(answer: Answer): string[] {
  const names = errorsOf(answer.data).flatMap((e) => {
    if (Array.isArray(e.fields) && e.fields.length) return e.fields.map(reasonCode);
    const column = typeof e.message === 'string' ? /No such column '([A-Za-z0-9_]+)'/.exec(e.message) : null;
    return column?.[1] ? [reasonCode(column[1])] : [];
  });
  return [...new Set(names.filter(Boolean))].slice(0, 5);
}

const reasonOf = (status: number, codes: readonly string[], fields: readonly string[]): string =>
  `HTTP ${status}${codes.length ? ` ${codes.slice(0, 3).join(' ')}` : ''}${fields.length ? ` (${fields.join(', ')})` : ''}`;

const is2xx = (answer: Answer) => answer.status >= 200 && answer.status < 300;
const isGone = (answer: Answer) =>
  (answer.status === 404 || answer.status === 400) && codesOf(answer).some((c) => GONE_CODES.has(c));
const isConverted = (answer: Answer) =>
  answer.status === 400 && codesOf(answer).includes('CANNOT_UPDATE_CONVERTED_LEAD');

/** A SOQL string literal's escapes (the quote and the backslash above all), so a value cannot end it. */
const soqlEscape = (value: string): string =>
  value.replace(/[\\'"\n\r\t\f\b]/g, (c) => {
    const escapes: Record<string, string> = {
      '\n': '\\n',
      '\r': '\\r',
      '\t': '\\t',
      '\f': '\\f',
      '\b': '\\b',
    };
    return escapes[c] ?? `\\${c}`;
  });

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const isFresh = (session: Session, nowMs: number) => nowMs < session.expiresAtMs - REFRESH_MARGIN_MS;

function sessionFrom(value: unknown): Session | undefined {
  if (!isObject(value)) return undefined;
  const { accessToken, instanceUrl, expiresAtMs } = value;
  return typeof accessToken === 'string' && typeof instanceUrl === 'string' && typeof expiresAtMs === 'number'
    ? { accessToken, instanceUrl, expiresAtMs }
    : undefined;
}

/** Runs `fn` over the items with at most `limit` at a time, results in the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The Salesforce destination (see the file comment). */
export function salesforceDestination(name: string, options: SalesforceOptions): Destination {
  const loginUrl = options.loginUrl.replace(/\/+$/, '');
  const cacheKey = loginUrl + options.clientId;
  const { object, apiVersion, externalIdField } = options;

  const configProblem = (): string | undefined => {
    if (!/^v\d+\.\d+$/.test(apiVersion)) return 'apiVersion is not like v62.0';
    if (object !== 'Lead' && object !== 'Contact') return 'object is neither Lead nor Contact';
    if (externalIdField !== undefined && !/^[A-Za-z][A-Za-z0-9_]*$/.test(externalIdField))
      return 'externalIdField is not a field name';
    try {
      const url = new URL(loginUrl);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'loginUrl is not http(s)';
    } catch {
      return 'loginUrl is not a URL';
    }
    if (!options.clientId || !options.clientSecret) return 'clientId or clientSecret is empty';
    return undefined;
  };

  const kvKey = async () => `sf-token:${await sha256Hex(cacheKey)}`;

  async function fetchSession(context: DeliveryContext): Promise<SessionResult> {
    if (context.kv) {
      try {
        const stored = sessionFrom(await context.kv.get(await kvKey(), 'json'));
        if (stored && isFresh(stored, Date.now())) {
          sessions.set(cacheKey, stored);
          return { ok: true, session: stored };
        }
      } catch {
        // KV only spares a token request; without it the token endpoint still answers.
      }
    }
    const result = await call(
      `${loginUrl}/services/oauth2/token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: options.clientId,
          client_secret: options.clientSecret,
        }).toString(),
      },
      context.timeoutMs,
    );
    if (!result.ok)
      return { ok: false, outcome: { ...result.outcome, reason: `token: ${result.outcome.reason}` } };
    const { response, durationMs } = result;
    const data = await jsonOf(response);
    if (!response.ok) {
      const code = isObject(data) ? reasonCode(data.error) : '';
      const errorClass = classifyStatus(response.status);
      // Any other 4xx of the token endpoint is a credential or connected-app setting: ours to fix.
      const classified: ErrorClass = errorClass === 'client_error' ? 'config_error' : errorClass;
      const reason = `HTTP ${response.status} token: ${code || 'error'}`;
      return { ok: false, outcome: outcome(response, classified, reason, durationMs) };
    }
    const token = isObject(data) ? data : {};
    const accessToken = token.access_token;
    const instanceUrl = typeof token.instance_url === 'string' ? token.instance_url.replace(/\/+$/, '') : '';
    if (typeof accessToken !== 'string' || !accessToken || !/^https?:\/\//.test(instanceUrl)) {
      return {
        ok: false,
        outcome: outcome(
          response,
          'server_error',
          `HTTP ${response.status} token: malformed answer`,
          durationMs,
        ),
      };
    }
    const now = Date.now();
    const issuedAt = Number(token.issued_at);
    const base = Number.isFinite(issuedAt) && issuedAt > 0 && issuedAt <= now + 60_000 ? issuedAt : now;
    const expiresIn = Number(token.expires_in);
    const lifetime =
      Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : DEFAULT_TOKEN_LIFETIME_MS;
    const session: Session = { accessToken, instanceUrl, expiresAtMs: base + lifetime };
    sessions.set(cacheKey, session);
    const ttl = Math.floor((session.expiresAtMs - REFRESH_MARGIN_MS - now) / 1000);
    // KV refuses an expirationTtl under 60 s; a token that short-lived is not worth sharing.
    if (context.kv && ttl >= 60) {
      try {
        await context.kv.put(await kvKey(), JSON.stringify(session), { expirationTtl: ttl });
      } catch {
        // As above: the cache is an optimisation.
      }
    }
    return { ok: true, session };
  }

  function getSession(context: DeliveryContext): Promise<SessionResult> {
    const cached = sessions.get(cacheKey);
    if (cached && isFresh(cached, Date.now())) return Promise.resolve({ ok: true, session: cached });
    let pending = pendingSessions.get(cacheKey);
    if (!pending) {
      pending = fetchSession(context).finally(() => pendingSessions.delete(cacheKey));
      pendingSessions.set(cacheKey, pending);
    }
    return pending;
  }

  async function dropSession(failed: Session, context: DeliveryContext): Promise<void> {
    // Only the token that failed: a concurrent delivery may already have fetched its successor.
    if (sessions.get(cacheKey)?.accessToken !== failed.accessToken) return;
    sessions.delete(cacheKey);
    if (context.kv) {
      try {
        await context.kv.delete(await kvKey());
      } catch {
        // The stale entry expires on its own.
      }
    }
  }

  /**
   * One REST call under `/services/data/{version}`. A 401 INVALID_SESSION_ID drops the token and
   * repeats the call once with a new one; the body of every answer is read (bounded) for ids and codes.
   */
  async function api(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body: Record<string, FieldValue> | undefined,
    attempt: Attempt,
    context: DeliveryContext,
  ): Promise<ApiResult> {
    for (;;) {
      const got = await getSession(context);
      if (!got.ok) return got;
      const init: RequestInit = {
        method,
        headers: {
          authorization: `Bearer ${got.session.accessToken}`,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      };
      const result = await call(
        `${got.session.instanceUrl}/services/data/${apiVersion}${path}`,
        init,
        context.timeoutMs,
      );
      if (!result.ok) return result;
      const { response } = result;
      const usage = /api-usage=(\d+)\/(\d+)/.exec(response.headers.get('sforce-limit-info') ?? '');
      if (usage) attempt.usage = { used: Number(usage[1]), limit: Number(usage[2]) };
      const answer: Answer = { response, status: response.status, data: await jsonOf(response) };
      if (answer.status === 401 && !attempt.refreshed && codesOf(answer).includes('INVALID_SESSION_ID')) {
        attempt.refreshed = true;
        await dropSession(got.session, context);
        continue;
      }
      return { ok: true, answer };
    }
  }

  /** An answer that is not a success, classified; `subject` names the object or field a 404 is about. */
  function failure(answer: Answer, subject?: string): DeliveryOutcome {
    const codes = codesOf(answer);
    let fields = fieldsOf(answer);
    let errorClass: ErrorClass;
    let extra: { retryAfterSeconds?: number } = {};
    if (answer.status === 300) {
      return outcome(
        answer.response,
        'client_error',
        reasonOf(300, ['MULTIPLE_CHOICES'], subject ? [subject] : []),
        0,
      );
    }
    if (answer.status === 401) errorClass = 'config_error';
    else if (answer.status === 403 && codes.includes('REQUEST_LIMIT_EXCEEDED')) {
      errorClass = 'rate_limited';
      extra = { retryAfterSeconds: LIMIT_EXCEEDED_RETRY_SECONDS };
    } else if (answer.status === 403 || codes.some((c) => c.startsWith('INSUFFICIENT_ACCESS'))) {
      errorClass = 'config_error';
    } else if (answer.status === 404) {
      errorClass = 'config_error';
      if (!fields.length && subject) fields = [subject];
    } else if (answer.status === 400 && codes.some((c) => CONFIG_CODES.has(c))) errorClass = 'config_error';
    else errorClass = classifyStatus(answer.status);
    return outcome(answer.response, errorClass, reasonOf(answer.status, codes, fields), 0, extra);
  }

  const success = (answer: Answer, recordId: string | undefined): DeliveryOutcome =>
    outcome(answer.response, 'ok', `HTTP ${answer.status}`, 0, recordId ? { recordId } : {});

  const idOf = (answer: Answer): string | undefined => {
    const id = isObject(answer.data) ? answer.data.id : undefined;
    return typeof id === 'string' && id ? id.slice(0, 40) : undefined;
  };

  /** The missing required fields filled with a placeholder, for a create only: an update keeps what is there. */
  const withRequired = (target: 'Lead' | 'Contact', body: Record<string, FieldValue>) => {
    const filled = { ...body };
    for (const field of REQUIRED[target]) if (filled[field] === undefined) filled[field] = PLACEHOLDER;
    return filled;
  };

  type Found = { ok: true; id: string | undefined } | { ok: false; outcome: DeliveryOutcome };

  /** The oldest record of `target` with the lead's email, else with its phone. */
  async function find(
    target: 'Lead' | 'Contact',
    lead: Lead,
    attempt: Attempt,
    context: DeliveryContext,
  ): Promise<Found> {
    for (const [field, value] of [
      ['Email', lead.email],
      ['Phone', lead.phone],
    ] as const) {
      if (!value) continue;
      const q = `SELECT Id FROM ${target} WHERE ${field} = '${soqlEscape(value)}' ORDER BY CreatedDate LIMIT 1`;
      const result = await api('GET', `/query?${new URLSearchParams({ q })}`, undefined, attempt, context);
      if (!result.ok) return result;
      if (!is2xx(result.answer)) return { ok: false, outcome: failure(result.answer, target) };
      const records = isObject(result.answer.data) ? result.answer.data.records : undefined;
      const first = Array.isArray(records) ? (records[0] as unknown) : undefined;
      const id = isObject(first) ? first.Id : undefined;
      if (typeof id === 'string' && id) return { ok: true, id };
    }
    return { ok: true, id: undefined };
  }

  const update = (
    target: 'Lead' | 'Contact',
    id: string,
    body: Record<string, FieldValue>,
    attempt: Attempt,
    context: DeliveryContext,
  ) => api('PATCH', `/sobjects/${target}/${encodeURIComponent(id)}`, body, attempt, context);

  /**
   * A converted lead cannot be updated; the person lives on as the Contact made from it. Only the
   * standard Contact fields are written there: the Lead mapping may name fields a Contact lacks, and
   * an INVALID_FIELD would pause the destination for a lead that did nothing wrong.
   */
  async function toContact(
    lead: Lead,
    converted: Answer,
    attempt: Attempt,
    context: DeliveryContext,
  ): Promise<DeliveryOutcome> {
    const found = await find('Contact', lead, attempt, context);
    if (!found.ok) return found.outcome;
    if (!found.id) return failure(converted);
    return updateContact(lead, found.id, attempt, context);
  }

  async function updateContact(
    lead: Lead,
    id: string,
    attempt: Attempt,
    context: DeliveryContext,
  ): Promise<DeliveryOutcome> {
    const result = await update(
      'Contact',
      id,
      mapFields(lead, SALESFORCE_DEFAULT_FIELDS.Contact),
      attempt,
      context,
    );
    if (!result.ok) return result.outcome;
    return is2xx(result.answer) ? success(result.answer, id) : failure(result.answer, 'Contact');
  }

  async function byIdentity(
    request: DeliveryRequest,
    body: Record<string, FieldValue>,
    attempt: Attempt,
    context: DeliveryContext,
  ): Promise<DeliveryOutcome> {
    const { lead } = request;
    const stored = request.person.recordId;
    if (stored) {
      // A Lead destination answers a converted lead's Contact id (key prefix 003): update it there.
      const result =
        object === 'Lead' && stored.startsWith('003')
          ? await update(
              'Contact',
              stored,
              mapFields(lead, SALESFORCE_DEFAULT_FIELDS.Contact),
              attempt,
              context,
            )
          : await update(object, stored, body, attempt, context);
      if (!result.ok) return result.outcome;
      const { answer } = result;
      if (is2xx(answer)) return success(answer, stored);
      if (isConverted(answer)) return toContact(lead, answer, attempt, context);
      if (!isGone(answer)) return failure(answer, object);
      // Deleted, merged away or never valid here: find the person again, as if no id were stored.
    }
    const found = await find(object, lead, attempt, context);
    if (!found.ok) return found.outcome;
    if (found.id) {
      const result = await update(object, found.id, body, attempt, context);
      if (!result.ok) return result.outcome;
      const { answer } = result;
      if (is2xx(answer)) return success(answer, found.id);
      if (isConverted(answer)) return toContact(lead, answer, attempt, context);
      // Deleted between the query and the update: a retry finds the survivor or creates.
      if (isGone(answer)) return { ...failure(answer, object), errorClass: 'server_error' };
      return failure(answer, object);
    }
    const result = await api('POST', `/sobjects/${object}`, withRequired(object, body), attempt, context);
    if (!result.ok) return result.outcome;
    return is2xx(result.answer)
      ? success(result.answer, idOf(result.answer))
      : failure(result.answer, object);
  }

  async function byExternalId(
    field: string,
    request: DeliveryRequest,
    body: Record<string, FieldValue>,
    attempt: Attempt,
    context: DeliveryContext,
  ): Promise<DeliveryOutcome> {
    const mapped = options.fields[field];
    const value = mapped ? leadValue(request.lead, mapped) : request.person.id;
    if (value === undefined || value === '') {
      return {
        errorClass: 'client_error',
        httpStatus: null,
        reason: `no value for external id field (${field})`,
        durationMs: 0,
      };
    }
    // Salesforce refuses the external-id field in the body of its own upsert.
    const { [field]: _value, ...rest } = body;
    const path = `/sobjects/${object}/${field}/${encodeURIComponent(String(value))}`;
    let result = await api('PATCH', path, rest, attempt, context);
    if (!result.ok) return result.outcome;
    // The upsert is creating and the lead lacks a required field: fill it then, and only then, so an
    // update never overwrites a real LastName with the placeholder.
    if (result.answer.status === 400 && codesOf(result.answer).includes('REQUIRED_FIELD_MISSING')) {
      const missing = fieldsOf(result.answer);
      const filled = withRequired(object, rest);
      if (missing.some((f) => REQUIRED[object].includes(f) && rest[f] === undefined)) {
        result = await api('PATCH', path, filled, attempt, context);
        if (!result.ok) return result.outcome;
      }
    }
    const { answer } = result;
    if (is2xx(answer)) {
      // Before v46.0 an update answers 204 without a body: the id is the one we knew, if any.
      const id = idOf(answer) ?? (answer.status === 204 ? (request.person.recordId ?? undefined) : undefined);
      return success(answer, id);
    }
    if (isConverted(answer)) return toContact(request.lead, answer, attempt, context);
    return failure(answer, answer.status === 404 || answer.status === 300 ? field : object);
  }

  async function deliverOne(request: DeliveryRequest, context: DeliveryContext): Promise<DeliveryOutcome> {
    const started = Date.now();
    const attempt: Attempt = { refreshed: false };
    let result: DeliveryOutcome;
    try {
      const body = mapFields(request.lead, options.fields, options.constants);
      result = externalIdField
        ? await byExternalId(externalIdField, request, body, attempt, context)
        : await byIdentity(request, body, attempt, context);
    } catch {
      // Never expected (call() catches fetch); a throw must still not cost the group its outcomes.
      result = {
        errorClass: 'server_error',
        httpStatus: null,
        reason: 'unexpected adapter error',
        durationMs: 0,
      };
    }
    const { usage } = attempt;
    const paceSeconds = usage
      ? paceFrom(usage.limit - usage.used, usage.limit, PACE_SECONDS, Math.floor(usage.limit * 0.05))
      : undefined;
    return {
      ...result,
      ...(paceSeconds === undefined ? {} : { paceSeconds }),
      durationMs: Date.now() - started,
    };
  }

  return {
    name,
    type: 'salesforce',
    async deliver(requests, context) {
      const problem = configProblem();
      if (problem) {
        return requests.map(() => ({
          errorClass: 'config_error',
          httpStatus: null,
          reason: problem,
          durationMs: 0,
        }));
      }
      return mapLimit(requests, CONCURRENCY, (request) => deliverOne(request, context));
    },
  };
}
