/**
 * HubSpot contacts, with a private-app token. People the pipeline already knows (a stored record
 * id) go out together through the batch update by id: the record they are is updated, whatever
 * this lead carries (an email that contact lacks must land on it, not on a new contact). New people
 * with an email go out through the batch upsert keyed on `email`: one call for up to 100 leads, and
 * HubSpot's email uniqueness makes it atomic (no search, so no search lag, can ever create a second
 * contact for that email). New phone-only people have no unique key in HubSpot: they are found by a
 * phone search, else created. A known id that is gone joins the new people of its kind.
 */
import type { ErrorClass } from '../lib/outcome';
import { type FieldValue, type LeadPath, mapFields } from './fields';
import { call, jsonOf, numberHeader, outcome, paceFrom, reasonCode } from './http';
import type { DeliveryContext, DeliveryOutcome, DeliveryRequest, Destination } from './types';

/** Where and how to reach one HubSpot portal, and what to write on its contacts. */
export interface HubspotOptions {
  /** `https://api.hubapi.com` in production. */
  baseUrl: string;
  /** The private app's access token (scopes `crm.objects.contacts.read` and `.write`). */
  token: string;
  /** Contact property → lead path; the pipeline has already merged these over the defaults. */
  fields: Readonly<Record<string, LeadPath>>;
  constants: Readonly<Record<string, FieldValue>>;
}

/** The standard contact properties: they exist on every portal. */
export const HUBSPOT_DEFAULT_FIELDS: Record<string, LeadPath> = {
  email: 'email',
  firstname: 'first_name',
  lastname: 'last_name',
  phone: 'phone',
  company: 'company',
  jobtitle: 'job_title',
  country: 'country',
  city: 'city',
};

const CONTACTS = '/crm/v3/objects/contacts';
const BATCH_LIMIT = 100;
/** Validation codes that name our configuration, not the lead: every lead would fail the same way. */
const CONFIG_CODES = new Set(['PROPERTY_DOESNT_EXIST', 'READ_ONLY_VALUE']);

interface ErrorDetail {
  code?: unknown;
  message?: unknown;
  context?: Record<string, unknown>;
}

interface HubspotError {
  status?: unknown;
  category?: unknown;
  message?: unknown;
  errorType?: unknown;
  policyName?: unknown;
  context?: Record<string, unknown>;
  errors?: unknown;
}

interface ContactAnswer {
  id?: unknown;
  properties?: Record<string, unknown>;
  objectWriteTraceId?: unknown;
}

interface BatchAnswer {
  results?: unknown;
  errors?: unknown;
}

interface SearchAnswer {
  results?: unknown;
}

/** The two batch writes: by email for new people, by record id for known ones. */
type BatchKind = 'upsert' | 'update';

/** One request's classified failure, before it becomes an outcome. */
interface Verdict {
  errorClass: ErrorClass;
  reason: string;
  retryAfterSeconds?: number;
}

/** A batch error's verdict for one input; `gone` when its record id names no contact it may update. */
interface InputVerdict extends Verdict {
  gone: boolean;
}

/** A HubSpot contacts destination; see the file comment for the calls it makes. */
export function hubspotDestination(name: string, options: HubspotOptions): Destination {
  const base = options.baseUrl.replace(/\/+$/, '');
  const headers = {
    authorization: `Bearer ${options.token}`,
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': 'Inlet/1',
  };
  return {
    name,
    type: 'hubspot',
    deliver: (requests, context) => new Delivery(base, headers, options, requests, context).run(),
  };
}

/** One `deliver()` call: its requests, the outcomes so far, and the calls it still plans. */
class Delivery {
  private readonly outcomes: (DeliveryOutcome | undefined)[];
  private plannedCalls = 0;
  /**
   * A whole-call failure that every later call would meet as well (revoked token, 429, HubSpot
   * down or unreachable): the rest of the group is answered with it instead of being sent.
   */
  private halted: DeliveryOutcome | undefined;
  /** New people with an email (batch upsert), and known ones whose record is gone. */
  private readonly byEmail: number[] = [];
  /** New phone-only people (search, then create), and known ones whose record is gone. */
  private readonly byPhone: number[] = [];
  /** Known people sent on to be found again: no outcome yet, but no longer the update's to answer. */
  private readonly rerouted = new Set<number>();

  constructor(
    private readonly base: string,
    private readonly headers: Record<string, string>,
    private readonly options: HubspotOptions,
    private readonly requests: readonly DeliveryRequest[],
    private readonly context: DeliveryContext,
  ) {
    this.outcomes = requests.map(() => undefined);
  }

  async run(): Promise<DeliveryOutcome[]> {
    const known: number[] = [];
    this.requests.forEach((request, index) => {
      if (!request.lead.email && !request.lead.phone)
        this.outcomes[index] = {
          errorClass: 'client_error',
          httpStatus: null,
          reason: 'lead has no email and no phone',
          durationMs: 0,
        };
      else if (request.person.recordId) known.push(index);
      else if (request.lead.email) this.byEmail.push(index);
      else this.byPhone.push(index);
    });
    const email = (index: number) => this.requests[index]?.lead.email ?? '';
    const updates = chunksOf(known, (index) => this.requests[index]?.person.recordId ?? '');
    this.plannedCalls = updates.length + chunksOf(this.byEmail, email).length + 2 * this.byPhone.length;
    try {
      for (const chunk of updates) {
        if (this.halted) break;
        await this.batch('update', chunk);
      }
      // Only now are the people whose record was gone known, so they share the new people's batches.
      const upserts = chunksOf(this.byEmail, email);
      this.plannedCalls = upserts.length + 2 * this.byPhone.length;
      for (const chunk of upserts) {
        if (this.halted) break;
        await this.batch('upsert', chunk);
      }
      for (const index of this.byPhone) {
        if (this.halted) break;
        this.outcomes[index] = await this.searchOrCreate(index);
      }
    } catch {
      // Nothing above should throw; if it does, the rest of the group is retried, never lost.
      this.halted ??= {
        errorClass: 'server_error',
        httpStatus: null,
        reason: 'unexpected adapter failure',
        durationMs: 0,
      };
    }
    const unsent: DeliveryOutcome = this.halted ?? {
      errorClass: 'server_error',
      httpStatus: null,
      reason: 'not sent',
      durationMs: 0,
    };
    // The unsent share the halting call's outcome: the circuit counts that as one failed call.
    return this.outcomes.map((done) => done ?? unsent);
  }

  // --- batch writes: update by id, upsert by email ---------------------------------------------

  private async batch(kind: BatchKind, chunk: readonly number[]): Promise<void> {
    const traces = new Map<string, number>();
    /** Each input's own id: the record id it updates, or the (lowercase) email it upserts. */
    const keys = new Map<string, number>();
    const inputs = chunk.map((index) => {
      const request = this.requests[index] as DeliveryRequest;
      let trace = request.eventId;
      if (traces.has(trace)) trace = `${request.eventId}:${index}`;
      traces.set(trace, index);
      const properties = this.properties(request);
      if (kind === 'update') {
        const id = request.person.recordId as string;
        keys.set(id, index);
        return { id, properties, objectWriteTraceId: trace };
      }
      const email = request.lead.email as string;
      keys.set(email.toLowerCase(), index);
      return { id: email, idProperty: 'email', properties, objectWriteTraceId: trace };
    });
    // The update names its missing inputs by their ids; the upsert has no missing inputs.
    const named = kind === 'update' ? keys : undefined;
    const answer = await this.send('POST', `${CONTACTS}/batch/${kind}`, { inputs });
    if (!answer.ok) {
      this.haltWith(answer.outcome, chunk);
      return;
    }
    const { response, durationMs } = answer;
    const pace = this.pace(response);
    if (response.status !== 200 && response.status !== 207) {
      const body = await jsonOf<HubspotError>(response);
      const verdict = this.verdict(response, body);
      const attributed =
        response.status === 400 || (kind === 'update' && response.status === 404)
          ? this.attribute(body, traces, named, response.status)
          : new Map<number, InputVerdict>();
      for (const [index, own] of attributed) this.settle(kind, index, response, own, durationMs, pace);
      const rest = chunk.filter((index) => !attributed.has(index));
      if (
        rest.length > 0 &&
        (attributed.size > 0 || (verdict.errorClass === 'client_error' && rest.length > 1))
      ) {
        // HubSpot refused the whole batch, so nothing of it was written: send again what it did not
        // blame, together when it named the culprits, else each alone, so one bad lead does not take
        // the others down with it.
        const again = attributed.size > 0 ? [rest] : rest.map((index) => [index]);
        this.plannedCalls += again.length;
        for (const part of again) {
          if (this.halted) break;
          await this.batch(kind, part);
        }
        return;
      }
      const whole = this.outcomeOf(response, verdict, durationMs, pace);
      for (const index of rest) this.outcomes[index] = whole;
      if (halts(response.status)) this.halt(whole);
      return;
    }
    const body = await jsonOf<BatchAnswer>(response);
    const results = Array.isArray(body?.results) ? (body.results as ContactAnswer[]) : [];
    const unmatched: string[] = [];
    for (const result of results) {
      const id = idOf(result);
      if (id === undefined) continue;
      // Results carry no input index: the trace id when HubSpot echoes it, else the id (update) or
      // the email (upsert) they landed on.
      const trace = typeof result.objectWriteTraceId === 'string' ? result.objectWriteTraceId : undefined;
      const email = result.properties?.email;
      const key = kind === 'update' ? id : typeof email === 'string' ? email.toLowerCase() : undefined;
      const index =
        (trace === undefined ? undefined : traces.get(trace)) ??
        (key === undefined ? undefined : keys.get(key));
      if (index === undefined || this.outcomes[index]) unmatched.push(id);
      else this.outcomes[index] = this.ok(response, id, durationMs, pace);
    }
    for (const [index, own] of this.attribute(body, traces, named, response.status))
      if (!this.outcomes[index] && !this.rerouted.has(index))
        this.settle(kind, index, response, own, durationMs, pace);
    const open = chunk.filter((index) => !this.outcomes[index] && !this.rerouted.has(index));
    // A merged contact answers with the survivor's id (update) or email (upsert), which names no
    // input: with one of each left they pair up.
    if (open.length === 1 && unmatched.length === 1) {
      this.outcomes[open[0] as number] = this.ok(response, unmatched[0] as string, durationMs, pace);
      return;
    }
    if (kind === 'update' && open.length > 0) {
      // Unpaired, or left out with neither a result nor an error (HubSpot does that for some ids):
      // a PATCH of each alone answers for certain, with the contact it landed on or a 404.
      this.plannedCalls += open.length;
      for (const index of open) {
        if (this.halted) break;
        await this.patchAlone(index);
      }
      return;
    }
    // With more, each input is sent alone, which pairs them (the upsert is idempotent, so the repeat
    // changes nothing).
    if (open.length > 1 && unmatched.length > 0) {
      this.plannedCalls += open.length;
      for (const index of open) {
        if (this.halted) break;
        await this.batch('upsert', [index]);
      }
      return;
    }
    for (const index of open)
      this.outcomes[index] = {
        // HubSpot accounted for neither a result nor an error: the upsert is idempotent, so retry it.
        errorClass: 'server_error',
        httpStatus: response.status,
        reason: `HTTP ${response.status} no result for input`,
        ...(pace === undefined ? {} : { paceSeconds: pace }),
        durationMs,
      };
  }

  /** One input's error: a known person whose record is gone is found again, never given up. */
  private settle(
    kind: BatchKind,
    index: number,
    response: Response,
    verdict: InputVerdict,
    durationMs: number,
    pace: number | undefined,
  ): void {
    if (kind === 'update' && verdict.gone) this.reresolve(index);
    else this.outcomes[index] = this.outcomeOf(response, verdict, durationMs, pace);
  }

  /**
   * The person's record is deleted, or another contact holds the email this lead brings: find them
   * the way a new person is found (the email's upsert lands on the contact holding it).
   */
  private reresolve(index: number): void {
    this.rerouted.add(index);
    (this.requests[index]?.lead.email ? this.byEmail : this.byPhone).push(index);
  }

  private async patchAlone(index: number): Promise<void> {
    const request = this.requests[index] as DeliveryRequest;
    const patched = await this.patch(request.person.recordId as string, this.properties(request));
    if (patched.httpStatus === 404 || patched.httpStatus === 409) this.reresolve(index);
    else this.outcomes[index] = patched;
  }

  private ok(response: Response, id: string, durationMs: number, pace: number | undefined): DeliveryOutcome {
    return {
      errorClass: 'ok',
      httpStatus: response.status,
      reason: `HTTP ${response.status}`,
      recordId: id,
      ...(pace === undefined ? {} : { paceSeconds: pace }),
      durationMs,
    };
  }

  /** The errors of a batch answer that name their inputs (by trace id, or by record id), by input. */
  private attribute(
    body: BatchAnswer | HubspotError | undefined,
    traces: Map<string, number>,
    ids: Map<string, number> | undefined,
    status: number,
  ): Map<number, InputVerdict> {
    const verdicts = new Map<number, InputVerdict>();
    const errors = Array.isArray(body?.errors) ? (body.errors as HubspotError[]) : [];
    for (const error of errors) {
      const own = inputVerdict(error ?? {});
      const category = reasonCode(error?.category);
      const verdict = {
        ...own,
        reason: `HTTP ${status} ${own.reason}`.trim(),
        gone: category === 'OBJECT_NOT_FOUND' || category === 'CONFLICT',
      };
      const indices = [
        ...listOf(error?.context?.objectWriteTraceId).map((trace) => traces.get(trace)),
        ...(ids ? listOf(error?.context?.ids).map((id) => ids.get(id)) : []),
      ];
      for (const index of indices)
        if (index !== undefined && !verdicts.has(index)) verdicts.set(index, verdict);
    }
    return verdicts;
  }

  // --- new phone-only people: search, create ---------------------------------------------------

  private async searchOrCreate(index: number): Promise<DeliveryOutcome> {
    const request = this.requests[index] as DeliveryRequest;
    const properties = this.properties(request);
    let spent = 0;
    const search = await this.send('POST', `${CONTACTS}/search`, {
      filterGroups: [{ filters: [{ propertyName: 'phone', operator: 'EQ', value: request.lead.phone }] }],
      sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }],
      properties: ['phone'],
      limit: 1,
    });
    if (!search.ok) return this.haltWith(search.outcome, [], spent);
    spent += search.durationMs;
    if (search.response.status !== 200) return this.failed(search.response, spent);
    const found = await jsonOf<SearchAnswer>(search.response);
    const first = Array.isArray(found?.results) ? idOf(found.results[0] as ContactAnswer) : undefined;
    if (first !== undefined) {
      const patched = await this.patch(first, properties);
      return { ...patched, durationMs: spent + patched.durationMs };
    }
    const created = await this.send('POST', CONTACTS, { properties });
    if (!created.ok) return this.haltWith(created.outcome, [], spent);
    spent += created.durationMs;
    const { response } = created;
    if (response.status === 201 || response.status === 200) {
      const id = idOf(await jsonOf<ContactAnswer>(response));
      return this.success(response, id, spent);
    }
    if (response.status === 409) {
      // Another contact already holds a unique value of this lead (its email): that contact is the person.
      const body = await jsonOf<HubspotError>(response);
      const existing =
        typeof body?.message === 'string' ? /Existing ID: (\d+)/.exec(body.message)?.[1] : undefined;
      if (existing) {
        this.plannedCalls++;
        const patched = await this.patch(existing, properties);
        return { ...patched, durationMs: spent + patched.durationMs };
      }
      return this.outcomeOf(response, this.verdict(response, body), spent, this.pace(response));
    }
    return this.failed(response, spent);
  }

  /** PATCH one contact; a merged contact answers on its old id with its new one. */
  private async patch(id: string, properties: Record<string, string>): Promise<DeliveryOutcome> {
    const answer = await this.send('PATCH', `${CONTACTS}/${encodeURIComponent(id)}`, { properties });
    if (!answer.ok) return this.haltWith(answer.outcome, []);
    const { response, durationMs } = answer;
    if (response.status === 200)
      return this.success(response, idOf(await jsonOf<ContactAnswer>(response)) ?? id, durationMs);
    if (response.status === 404) {
      await response.body?.cancel();
      return {
        errorClass: 'client_error',
        httpStatus: 404,
        reason: 'HTTP 404 OBJECT_NOT_FOUND',
        durationMs,
      };
    }
    return this.failed(response, durationMs);
  }

  // --- answers ---------------------------------------------------------------------------------

  private async send(method: string, path: string, body: unknown) {
    this.plannedCalls = Math.max(0, this.plannedCalls - 1);
    return call(
      `${this.base}${path}`,
      { method, headers: this.headers, body: JSON.stringify(body) },
      this.context.timeoutMs,
    );
  }

  private success(response: Response, id: string | undefined, durationMs: number): DeliveryOutcome {
    const pace = this.pace(response);
    return {
      errorClass: id === undefined ? 'server_error' : 'ok',
      httpStatus: response.status,
      reason: id === undefined ? `HTTP ${response.status} without an id` : `HTTP ${response.status}`,
      ...(id === undefined ? {} : { recordId: id }),
      ...(pace === undefined ? {} : { paceSeconds: pace }),
      durationMs,
    };
  }

  private async failed(response: Response, durationMs: number): Promise<DeliveryOutcome> {
    const body = await jsonOf<HubspotError>(response);
    const result = this.outcomeOf(response, this.verdict(response, body), durationMs, this.pace(response));
    if (halts(response.status)) this.halt(result);
    return result;
  }

  private outcomeOf(
    response: Response,
    verdict: Verdict,
    durationMs: number,
    pace: number | undefined,
  ): DeliveryOutcome {
    const made = outcome(response, verdict.errorClass, verdict.reason, durationMs, {
      ...(pace === undefined ? {} : { paceSeconds: pace }),
    });
    if (made.retryAfterSeconds === undefined && verdict.retryAfterSeconds !== undefined)
      made.retryAfterSeconds = verdict.retryAfterSeconds;
    return made;
  }

  /** How HubSpot's answer classifies, from its status, category, error codes and policy name. */
  private verdict(response: Response, body: HubspotError | undefined): Verdict {
    const status = response.status;
    const category = reasonCode(body?.category);
    const head = `HTTP ${status}`;
    if (status === 401)
      return { errorClass: 'config_error', reason: `${head} ${category || 'INVALID_AUTHENTICATION'}` };
    if (status === 403) return { errorClass: 'config_error', reason: `${head} ${category || 'FORBIDDEN'}` };
    if (status === 429) {
      const policy = reasonCode(body?.policyName);
      const reason = [head, reasonCode(body?.errorType) || 'RATE_LIMIT', policy].filter(Boolean).join(' ');
      const interval = numberHeader(response, 'x-hubspot-ratelimit-interval-milliseconds');
      const retryAfterSeconds =
        policy === 'DAILY'
          ? secondsToMidnightUtc(this.context.nowMs)
          : policy === 'SECONDLY'
            ? 1
            : interval === undefined
              ? undefined
              : Math.max(1, Math.ceil(interval / 1000));
      return {
        errorClass: 'rate_limited',
        reason,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      };
    }
    if (status === 408) return { errorClass: 'request_timeout', reason: head };
    if (status >= 500) return { errorClass: 'server_error', reason: category ? `${head} ${category}` : head };
    if (status === 404) {
      // PATCH handles its own 404; anywhere else it means the base URL or path is wrong.
      return { errorClass: 'config_error', reason: category ? `${head} ${category}` : head };
    }
    const verdict = inputVerdict(body ?? {});
    return { ...verdict, reason: `${head} ${verdict.reason}`.trim() };
  }

  /**
   * Hold the destination when the ten-secondly window has no more room than this group still needs
   * (at least a tenth of it), or the daily allowance is spent.
   */
  private pace(response: Response): number | undefined {
    const max = numberHeader(response, 'x-hubspot-ratelimit-max');
    const interval = numberHeader(response, 'x-hubspot-ratelimit-interval-milliseconds');
    const reserve = Math.max(this.plannedCalls, Math.max(1, Math.floor((max ?? 0) / 10)));
    let pace = paceFrom(
      numberHeader(response, 'x-hubspot-ratelimit-remaining'),
      max,
      interval === undefined ? undefined : interval / 1000,
      reserve,
    );
    if (numberHeader(response, 'x-hubspot-ratelimit-daily-remaining') === 0)
      pace = Math.max(pace ?? 0, secondsToMidnightUtc(this.context.nowMs));
    return pace;
  }

  private haltWith(failure: DeliveryOutcome, chunk: readonly number[], spent = 0): DeliveryOutcome {
    const result = { ...failure, durationMs: failure.durationMs + spent };
    for (const index of chunk) this.outcomes[index] = result;
    this.halt(result);
    return result;
  }

  private halt(result: DeliveryOutcome): void {
    this.halted ??= result;
  }

  /** Every mapped property, as the strings HubSpot stores: partial upserts are not supported with email. */
  private properties(request: DeliveryRequest): Record<string, string> {
    const mapped = mapFields(request.lead, this.options.fields, this.options.constants);
    return Object.fromEntries(Object.entries(mapped).map(([key, value]) => [key, String(value)]));
  }
}

/** A failure every later call of the group would meet too. */
const halts = (status: number): boolean =>
  status === 401 || status === 403 || status === 404 || status === 429 || status >= 500;

/**
 * One error's class and reason from its category and codes: `VALIDATION_ERROR INVALID_EMAIL (email)`.
 * Only codes and property names are kept; HubSpot's messages quote the values.
 */
function inputVerdict(error: HubspotError): Verdict {
  const category = reasonCode(error.category);
  const details = detailsOf(error);
  const reason = [
    category,
    details.map(({ code, property }) => (property ? `${code} (${property})` : code)).join(', '),
  ]
    .filter(Boolean)
    .join(' ')
    .slice(0, 200);
  if (details.some(({ code }) => CONFIG_CODES.has(code))) return { errorClass: 'config_error', reason };
  if (/RATE_LIMIT/.test(category)) return { errorClass: 'rate_limited', reason };
  return { errorClass: 'client_error', reason };
}

/** The codes and property names of an error, from `errors[]`, or else from its message's JSON list. */
function detailsOf(error: HubspotError): { code: string; property: string }[] {
  const details: { code: string; property: string }[] = [];
  const add = (code: unknown, property: unknown) => {
    const entry = {
      code: reasonCode(code),
      property: reasonCode(Array.isArray(property) ? property[0] : property),
    };
    if (entry.code && !details.some((d) => d.code === entry.code && d.property === entry.property))
      details.push(entry);
  };
  if (Array.isArray(error.errors))
    for (const detail of error.errors as ErrorDetail[]) add(detail?.code, detail?.context?.propertyName);
  if (details.length === 0 && typeof error.message === 'string') {
    // "Property values were not valid: [{"isValid":false,...,"error":"INVALID_EMAIL","name":"email"}]"
    const start = error.message.indexOf('[');
    if (start >= 0) {
      try {
        const list = JSON.parse(error.message.slice(start)) as unknown;
        if (Array.isArray(list))
          for (const item of list as { error?: unknown; name?: unknown }[]) add(item?.error, item?.name);
      } catch {
        // Not the JSON list HubSpot usually embeds: the category alone is the reason.
      }
    }
  }
  return details.slice(0, 3);
}

/** A context entry as HubSpot gives it: a list of strings, or one string. */
function listOf(value: unknown): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  return list.filter((item): item is string => typeof item === 'string');
}

function idOf(answer: ContactAnswer | undefined): string | undefined {
  const id = answer?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 64) : undefined;
}

/** HubSpot's daily allowance starts again at midnight (UTC here; see the report on account time zones). */
function secondsToMidnightUtc(nowMs: number): number {
  const now = new Date(nowMs);
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - nowMs) / 1000));
}

/**
 * Batches of at most 100 in which no id (email or record id) appears twice: HubSpot refuses a whole
 * batch with a duplicate id, so a repeat goes into a later batch (it then updates the same contact).
 */
function chunksOf(indices: readonly number[], key: (index: number) => string): number[][] {
  const chunks: { members: number[]; keys: Set<string> }[] = [];
  for (const index of indices) {
    const k = key(index).toLowerCase();
    let target = chunks.find((chunk) => chunk.members.length < BATCH_LIMIT && !chunk.keys.has(k));
    if (!target) {
      target = { members: [], keys: new Set() };
      chunks.push(target);
    }
    target.members.push(index);
    target.keys.add(k);
  }
  return chunks.map((chunk) => chunk.members);
}
