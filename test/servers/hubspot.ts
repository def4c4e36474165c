/**
 * A fake HubSpot CRM v3 contacts API on 127.0.0.1, built from HubSpot's documented behaviour: a
 * private-app bearer token (401 INVALID_AUTHENTICATION, 403 MISSING_SCOPES for a read-only one),
 * contacts keyed by id with a unique email, the batch upsert by email and the batch update by id
 * with 207 multi-status, create (409 CONFLICT "Contact already exists. Existing ID: N"), PATCH by
 * id (404 OBJECT_NOT_FOUND), DELETE by id (archive, 204), search by `filterGroups` that lags behind
 * writes, validation of property names and values in HubSpot's error shape, and the ten-secondly and daily limits with X-HubSpot-RateLimit-* headers
 * on every answer. Used by the Node tests and by `npm run dev`.
 *
 * Control API (not HubSpot's): POST /__control/tokens {token, valid}, POST /__control/script
 * {email?, phone?, responses}, POST /__control/rate-limit {limit, windowSeconds, daily?},
 * POST /__control/search-lag {ms}, POST /__control/merge {from, into}, GET /__control/records?email=
 * (or ?phone=), GET /__control/requests, POST /__control/reset.
 *
 * A script answers the next writes (upsert and update inputs, creates, PATCHes) whose properties
 * carry that email or phone (or, for an update input, whose id is that key); searches are never
 * scripted. In a batch, a scripted 4xx (other than 401, 403, 429) fails that input alone in a 207;
 * any other scripted status answers the whole call.
 *
 * With the `chaos` option (the chaos runs, `bench/chaos-scale.mjs`; never the tests), every write
 * call (batch upsert, batch update, create, PATCH; not searches or reads) fails with probability
 * `failureRate`, in one of the kinds of crm.ts's chaos, picked by the same seeded generator: 500
 * and 503 (nothing written), 429 with HubSpot's ten-secondly body and its X-HubSpot-RateLimit-*
 * headers saying the window is spent (nothing written), a slow answer (written, then answered after
 * `slowMs`, past the gateway's timeout), or a dropped connection (nothing written). Chaos comes
 * before scripts and rate limits: a run uses one or the other. Its control API: GET
 * /__control/faults (each injected fault) and POST /__control/chaos {down} (down: every API call
 * answers 503, recorded as `outage`, until it is set back).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHAOS_FAULTS, type ChaosFault, seeded } from './crm.ts';
import { readAll } from './http.ts';

export interface FakeHubspotOptions {
  port?: number;
  /** Accepted tokens; `abc:readonly` registers `abc` without the contacts write scope. */
  tokens: string[];
  /** A JSON file the contacts are loaded from and saved to, so they survive a restart. */
  persistPath?: string;
  /** How long a write takes to show in search results. */
  searchLagMs?: number;
  /** Log one line per write, with the contact data masked. */
  print?: boolean;
  /** Portal-specific contact properties, on top of the standard ones. */
  customProperties?: string[];
  /** Random faults for the chaos runs (see the file comment). Absent: the fake fails only as scripted. */
  chaos?: HubspotChaosOptions;
}

export interface HubspotChaosOptions {
  /** Probability, 0 to 1, that a write call fails. */
  failureRate: number;
  /** Seed of the generator: the same seed gives the same faults for the same order of calls. */
  seed?: number;
  /** How long a slow answer takes, in ms; keep it above the gateway's DELIVERY_TIMEOUT_MS. */
  slowMs?: number;
  /** The kinds of fault to pick from, equally likely; a kind listed twice is picked twice as often. */
  faults?: readonly ChaosFault[];
}

/** A fault the chaos option injected; `outage` is a call answered 503 while the fake was down. */
export interface InjectedFault {
  at: number;
  kind: ChaosFault | 'outage';
  method: string;
  path: string;
  /** The inputs of a batch call, 1 for a create or PATCH. */
  inputs: number;
}

export interface FakeHubspot {
  /** The API base URL, as `https://api.hubapi.com` would be. */
  url: string;
  close(): Promise<void>;
}

export interface ScriptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Apply the write, then answer this (late, with delayMs): a timeout that did land. */
  apply?: boolean;
}

export interface FakeContact {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** Ids merged into this contact; they keep answering for it. */
  mergedIds: string[];
  /** Emails of contacts merged into this one (HubSpot's `hs_additional_emails`). */
  additionalEmails: string[];
  /** What search sees, each version visible `searchLagMs` after `at`. */
  versions: { at: number; email: string | null; phone: string | null }[];
}

export interface ReceivedRequest {
  method: string;
  path: string;
  status: number;
  at: number;
}

const STANDARD_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'phone',
  'company',
  'jobtitle',
  'country',
  'city',
  'hs_lead_status',
  'lifecyclestage',
];
/** Set by HubSpot itself: readable and searchable, never written. */
const READ_ONLY_PROPERTIES = ['hs_object_id', 'createdate', 'lastmodifieddate'];
const OPTIONS: Record<string, readonly string[]> = {
  hs_lead_status: [
    'NEW',
    'OPEN',
    'IN_PROGRESS',
    'OPEN_DEAL',
    'UNQUALIFIED',
    'ATTEMPTED_TO_CONTACT',
    'CONNECTED',
    'BAD_TIMING',
  ],
  lifecyclestage: [
    'subscriber',
    'lead',
    'marketingqualifiedlead',
    'salesqualifiedlead',
    'opportunity',
    'customer',
    'evangelist',
    'other',
  ],
};
const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9-]+\.)+[a-z]{2,63}$/i;
const CONTACTS = '/crm/v3/objects/contacts';
const DEFAULT_TEN_SECONDLY = 190;
const DEFAULT_DAILY = 625_000;

type Reply = { status: number; body: unknown; headers?: Record<string, string> };
type BatchInput = {
  id?: unknown;
  idProperty?: unknown;
  properties?: Record<string, unknown>;
  objectWriteTraceId?: unknown;
};
type PropertyError = { code: string; property: string; message: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const mask = (value: string | null | undefined): string => {
  if (!value) return '-';
  const at = value.indexOf('@');
  if (at > 0) return `${value[0]}***${value.slice(at)}`;
  return `***${value.slice(-2)}`;
};

/** HubSpot's error body: status, message, correlationId, category, and the optional rest. */
const error = (category: string, message: string, extra: Record<string, unknown> = {}) => ({
  status: 'error',
  message,
  correlationId: randomUUID(),
  category,
  ...extra,
});

/** "Property values were not valid", with the JSON list HubSpot embeds and the `errors[]` it adds. */
const validationError = (problems: PropertyError[], extra: Record<string, unknown> = {}) =>
  error(
    'VALIDATION_ERROR',
    `Property values were not valid: ${JSON.stringify(
      problems.map((p) => ({
        isValid: false,
        message: p.message,
        error: p.code,
        name: p.property,
        localizedErrorMessage: p.message,
      })),
    )}`,
    {
      ...extra,
      errors: problems.map((p) => ({
        message: p.message,
        code: p.code,
        context: { propertyName: [p.property] },
      })),
    },
  );

const AUTH_ERROR = () =>
  error(
    'INVALID_AUTHENTICATION',
    'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
  );
const SCOPES_ERROR = () =>
  error(
    'MISSING_SCOPES',
    "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    {
      errors: [
        {
          message: 'One or more of the following scopes are required.',
          context: { requiredGranularScopes: ['crm.objects.contacts.write'] },
        },
      ],
      links: { scopes: 'https://developers.hubspot.com/scopes' },
    },
  );
const NOT_FOUND = () => error('OBJECT_NOT_FOUND', 'resource not found');
const TEN_SECONDLY_LIMIT = () => ({
  status: 'error',
  message: 'You have reached your ten_secondly_rolling limit.',
  errorType: 'RATE_LIMIT',
  correlationId: randomUUID(),
  policyName: 'TEN_SECONDLY_ROLLING',
});
const DAILY_LIMIT = () => ({
  status: 'error',
  message: 'You have reached your daily limit.',
  errorType: 'RATE_LIMIT',
  correlationId: randomUUID(),
  policyName: 'DAILY',
});

/** A scripted answer's body when the script gave none: what HubSpot says for that status. */
function defaultBody(status: number): unknown {
  if (status === 400) return error('VALIDATION_ERROR', 'Property values were not valid');
  if (status === 401) return AUTH_ERROR();
  if (status === 403) return SCOPES_ERROR();
  if (status === 404) return NOT_FOUND();
  if (status === 409) return error('CONFLICT', 'Conflict');
  if (status === 429) return TEN_SECONDLY_LIMIT();
  if (status >= 500) return { status: 'error', message: 'internal error', correlationId: randomUUID() };
  return {};
}

/** Starts the fake; `url` is the base URL the adapter's `baseUrl` is set to. */
export async function startFakeHubspot(options: FakeHubspotOptions): Promise<FakeHubspot> {
  const known = new Set([...STANDARD_PROPERTIES, ...(options.customProperties ?? [])]);
  const tokens = new Map<string, { valid: boolean; write: boolean }>(
    options.tokens.map((entry) => {
      const [token, scope] = entry.split(':');
      return [token ?? entry, { valid: true, write: scope !== 'readonly' }];
    }),
  );
  let contacts = new Map<string, FakeContact>();
  /** Merged id → the id of the contact it was merged into. */
  let aliases = new Map<string, string>();
  let nextId = 101;
  let scripts = new Map<string, ScriptedResponse[]>();
  let requests: ReceivedRequest[] = [];
  let searchLagMs = options.searchLagMs ?? 0;
  let tenSecondly = { limit: 0, windowMs: 10_000 };
  let dailyLimit = 0;
  let windowHits: number[] = [];
  let daily = { day: '', count: 0 };
  const chaos = options.chaos;
  const random = seeded(chaos?.seed ?? 1);
  const faults: InjectedFault[] = [];
  let down = false;

  if (options.persistPath && existsSync(options.persistPath)) {
    const saved = JSON.parse(readFileSync(options.persistPath, 'utf8')) as {
      nextId: number;
      contacts: FakeContact[];
      aliases: [string, string][];
    };
    nextId = saved.nextId;
    contacts = new Map(saved.contacts.map((contact) => [contact.id, contact]));
    aliases = new Map(saved.aliases);
  }
  const save = () => {
    if (!options.persistPath) return;
    writeFileSync(
      options.persistPath,
      JSON.stringify({ nextId, contacts: [...contacts.values()], aliases: [...aliases] }, null, 2),
    );
  };
  const print = (verb: string, contact: FakeContact) => {
    if (options.print)
      console.log(
        `[fake-hubspot] ${verb} ${contact.id} (${mask(contact.properties.email)} ${mask(contact.properties.phone)})`,
      );
  };

  const resolve = (id: string): FakeContact | undefined => contacts.get(aliases.get(id) ?? id);
  const byEmail = (email: string): FakeContact | undefined => {
    const wanted = email.toLowerCase();
    for (const contact of contacts.values())
      if (contact.properties.email === wanted || contact.additionalEmails.includes(wanted)) return contact;
    return undefined;
  };

  /** Unknown names, read-only names and invalid values, as HubSpot names them. */
  const validate = (properties: Record<string, unknown>): PropertyError[] => {
    const problems: PropertyError[] = [];
    for (const [name, raw] of Object.entries(properties)) {
      const value = raw === null ? '' : String(raw);
      if (READ_ONLY_PROPERTIES.includes(name))
        problems.push({
          code: 'READ_ONLY_VALUE',
          property: name,
          message: `"${name}" is a read only property`,
        });
      else if (!known.has(name))
        problems.push({
          code: 'PROPERTY_DOESNT_EXIST',
          property: name,
          message: `Property "${name}" does not exist`,
        });
      else if (name === 'email' && value !== '' && !EMAIL.test(value))
        problems.push({
          code: 'INVALID_EMAIL',
          property: name,
          message: `Email address ${value} is invalid`,
        });
      else if (OPTIONS[name] && value !== '' && !OPTIONS[name].includes(value))
        problems.push({
          code: 'INVALID_OPTION',
          property: name,
          message: `${value} was not one of the allowed options: [${OPTIONS[name].join(', ')}]`,
        });
    }
    return problems;
  };

  const write = (contact: FakeContact | undefined, properties: Record<string, unknown>): FakeContact => {
    const now = new Date().toISOString();
    const strings = Object.fromEntries(
      Object.entries(properties).map(([k, v]) => [k, k === 'email' ? String(v).toLowerCase() : String(v)]),
    );
    let target = contact;
    if (target) {
      // An email the contact holds as an additional one (from a merge) becomes its primary, and the
      // primary becomes additional: the contact keeps answering for both.
      const previous = target.properties.email;
      if (
        strings.email &&
        previous &&
        strings.email !== previous &&
        target.additionalEmails.includes(strings.email)
      )
        target.additionalEmails = [...target.additionalEmails.filter((e) => e !== strings.email), previous];
      Object.assign(target.properties, strings, { lastmodifieddate: now });
      target.updatedAt = now;
      print('updated', target);
    } else {
      const id = String(nextId++);
      target = {
        id,
        properties: { ...strings, hs_object_id: id, createdate: now, lastmodifieddate: now },
        createdAt: now,
        updatedAt: now,
        mergedIds: [],
        additionalEmails: [],
        versions: [],
      };
      contacts.set(id, target);
      print('created', target);
    }
    target.versions.push({
      at: Date.now(),
      email: target.properties.email ?? null,
      phone: target.properties.phone ?? null,
    });
    save();
    return target;
  };

  const view = (contact: FakeContact, properties?: readonly string[]) => ({
    id: contact.id,
    properties: properties
      ? Object.fromEntries(
          [...properties, 'hs_object_id', 'createdate', 'lastmodifieddate'].map((p) => [
            p,
            contact.properties[p] ?? null,
          ]),
        )
      : { ...contact.properties },
    createdAt: contact.createdAt,
    updatedAt: contact.updatedAt,
    archived: false,
  });

  const takeScript = (properties: Record<string, unknown>, id?: string): ScriptedResponse | undefined => {
    for (const key of [id, properties.email, properties.phone]) {
      if (typeof key !== 'string') continue;
      const queue = scripts.get(key.toLowerCase());
      if (queue?.length) return queue.shift();
    }
    return undefined;
  };
  const peekScript = (properties: Record<string, unknown>, id?: string) => {
    for (const key of [id, properties.email, properties.phone]) {
      if (typeof key !== 'string') continue;
      const queue = scripts.get(key.toLowerCase());
      if (queue?.length) return { key: key.toLowerCase(), response: queue[0] as ScriptedResponse };
    }
    return undefined;
  };

  /** A scripted answer: the real write first when `apply`, then the answer, late when `delayMs`. */
  const scripted = async (script: ScriptedResponse, apply: () => Reply): Promise<Reply> => {
    const real = script.apply ? apply() : undefined;
    if (script.delayMs) await sleep(script.delayMs);
    const ok = script.status >= 200 && script.status < 300;
    return {
      status: script.status,
      body: script.body ?? (ok && real ? real.body : defaultBody(script.status)),
      ...(script.headers ? { headers: script.headers } : {}),
    };
  };

  // --- the API ---------------------------------------------------------------------------------

  /** The checks every batch write makes of its input list before anything is written. */
  const batchInputs = (body: { inputs?: unknown }): BatchInput[] | Reply => {
    const inputs = Array.isArray(body.inputs) ? (body.inputs as BatchInput[]) : undefined;
    if (!inputs) return { status: 400, body: error('VALIDATION_ERROR', 'Invalid input JSON on line 1') };
    if (inputs.length > 100)
      return {
        status: 400,
        body: error('VALIDATION_ERROR', 'Batch input limit exceeded: at most 100 inputs'),
      };
    return inputs;
  };
  const duplicateIds = (ids: string[]): Reply | undefined => {
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (!duplicates.length) return undefined;
    return {
      status: 400,
      body: error(
        'VALIDATION_ERROR',
        `Duplicate IDs found in batch input: [${[...new Set(duplicates)].join(', ')}]. IDs must be unique`,
      ),
    };
  };
  /** A scripted status that is not one input's own fault answers the whole call. */
  const wholeCallScript = (inputs: BatchInput[], apply: () => Reply): Promise<Reply> | undefined => {
    for (const input of inputs) {
      const found = peekScript(input.properties ?? {}, String(input.id ?? ''));
      if (
        !found ||
        (found.response.status >= 400 &&
          found.response.status < 500 &&
          ![401, 403, 429].includes(found.response.status))
      )
        continue;
      scripts.get(found.key)?.shift();
      return scripted(found.response, apply);
    }
    return undefined;
  };
  /** The batch answer: 200, or 207 with each failure naming its input by trace id. */
  const batchAnswer = (
    inputs: BatchInput[],
    results: unknown[],
    failures: { index: number; error: Record<string, unknown> }[],
    extra: Record<string, unknown>[] = [],
  ): Reply => {
    const now = new Date().toISOString();
    const answer: Record<string, unknown> = { status: 'COMPLETE', results, startedAt: now, completedAt: now };
    if (failures.length === 0 && extra.length === 0) return { status: 200, body: answer };
    return {
      status: 207,
      body: {
        ...answer,
        numErrors: failures.length + extra.length,
        errors: [
          ...failures.map(({ index, error: e }) => ({
            ...e,
            status: 'error',
            context: {
              ...((e.context as Record<string, unknown> | undefined) ?? {}),
              objectWriteTraceId: [String(inputs[index]?.objectWriteTraceId)],
            },
          })),
          ...extra,
        ],
      },
    };
  };

  const upsert = async (body: { inputs?: unknown }): Promise<Reply> => {
    const inputs = batchInputs(body);
    if (!Array.isArray(inputs)) return inputs;
    for (const input of inputs) {
      if (input.idProperty !== 'email')
        return {
          status: 400,
          body: error(
            'VALIDATION_ERROR',
            `Unable to perform update/upsert by non-unique ${String(input.idProperty)} property`,
          ),
        };
    }
    const ids = inputs.map((input) => String(input.id ?? '').toLowerCase());
    const duplicate = duplicateIds(ids);
    if (duplicate) return duplicate;
    return wholeCallScript(inputs, () => upsertInputs(inputs, ids, true)) ?? upsertInputs(inputs, ids, false);
  };

  const upsertInputs = (inputs: BatchInput[], ids: string[], ignoreScripts: boolean): Reply => {
    const failures: { index: number; error: Record<string, unknown> }[] = [];
    inputs.forEach((input, index) => {
      const properties = { ...(input.properties ?? {}), email: ids[index] ?? '' };
      const script = ignoreScripts ? undefined : takeScript(properties, ids[index]);
      if (script) {
        failures.push({
          index,
          error:
            (script.body as Record<string, unknown>) ??
            (defaultBody(script.status) as Record<string, unknown>),
        });
        return;
      }
      const problems = validate(properties);
      if (problems.length) failures.push({ index, error: validationError(problems) });
    });
    const traced = inputs.every((input) => typeof input.objectWriteTraceId === 'string');
    const first = failures[0];
    // Without trace ids HubSpot cannot say which input failed: the whole batch is refused.
    if (first && !traced) return { status: 400, body: first.error };
    const failed = new Set(failures.map((f) => f.index));
    const results = inputs.flatMap((input, index) => {
      if (failed.has(index)) return [];
      const email = ids[index] ?? '';
      const existing = byEmail(email);
      // A merged contact's old email is an additional email now: the upsert lands on the survivor.
      const properties = { ...(input.properties ?? {}) };
      if (!existing || existing.properties.email === email) properties.email = email;
      else delete properties.email;
      const contact = write(existing, properties);
      return [{ ...view(contact), new: !existing }];
    });
    return batchAnswer(inputs, results, failures);
  };

  /**
   * The batch update by id (or by a unique `idProperty`): ids that name no contact are reported
   * together in one OBJECT_NOT_FOUND error listing them in `context.ids`; a merged id updates the
   * survivor and answers with its id; invalid values and an email another contact holds fail that
   * input alone, named by its trace id.
   */
  const update = async (body: { inputs?: unknown }): Promise<Reply> => {
    const inputs = batchInputs(body);
    if (!Array.isArray(inputs)) return inputs;
    for (const input of inputs) {
      if (
        input.idProperty !== undefined &&
        input.idProperty !== 'email' &&
        input.idProperty !== 'hs_object_id'
      )
        return {
          status: 400,
          body: error(
            'VALIDATION_ERROR',
            `Unable to perform update/upsert by non-unique ${String(input.idProperty)} property`,
          ),
        };
      if ((typeof input.id !== 'string' && typeof input.id !== 'number') || String(input.id) === '')
        return {
          status: 400,
          body: error('VALIDATION_ERROR', 'Invalid input JSON: every input needs an id'),
        };
    }
    const ids = inputs.map((input) =>
      input.idProperty === 'email' ? String(input.id).toLowerCase() : String(input.id),
    );
    const duplicate = duplicateIds(ids);
    if (duplicate) return duplicate;
    return wholeCallScript(inputs, () => updateInputs(inputs, ids, true)) ?? updateInputs(inputs, ids, false);
  };

  const updateInputs = (inputs: BatchInput[], ids: string[], ignoreScripts: boolean): Reply => {
    const targets = inputs.map((input, index) =>
      input.idProperty === 'email' ? byEmail(ids[index] ?? '') : resolve(ids[index] ?? ''),
    );
    const failures: { index: number; error: Record<string, unknown> }[] = [];
    const missing: number[] = [];
    /** Emails this batch gives to a contact, so two inputs cannot give one email to two contacts. */
    const claimed = new Map<string, string>();
    inputs.forEach((input, index) => {
      const properties = input.properties ?? {};
      const script = ignoreScripts ? undefined : takeScript(properties, ids[index]);
      if (script) {
        failures.push({
          index,
          error:
            (script.body as Record<string, unknown>) ??
            (defaultBody(script.status) as Record<string, unknown>),
        });
        return;
      }
      const contact = targets[index];
      if (!contact) {
        missing.push(index);
        return;
      }
      const problems = validate(properties);
      if (problems.length) {
        failures.push({ index, error: validationError(problems) });
        return;
      }
      const email = typeof properties.email === 'string' ? properties.email.toLowerCase() : '';
      const holder = email ? (claimed.get(email) ?? byEmail(email)?.id) : undefined;
      if (holder !== undefined && holder !== contact.id) {
        failures.push({ index, error: error('CONFLICT', `Contact already exists. Existing ID: ${holder}`) });
        return;
      }
      if (email) claimed.set(email, contact.id);
    });
    const traced = inputs.every((input) => typeof input.objectWriteTraceId === 'string');
    const first = failures[0];
    // Without trace ids HubSpot cannot say which input failed: the whole batch is refused.
    if (first && !traced) return { status: 400, body: first.error };
    const settled = new Set([...failures.map((f) => f.index), ...missing]);
    const results = inputs.flatMap((input, index) => {
      const contact = targets[index];
      if (settled.has(index) || !contact) return [];
      return [view(write(contact, input.properties ?? {}))];
    });
    const notFound = missing.length
      ? [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message:
              'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
            context: { ids: missing.map((index) => String(inputs[index]?.id)) },
          },
        ]
      : [];
    return batchAnswer(inputs, results, failures, notFound);
  };

  const create = async (body: { properties?: Record<string, unknown> }): Promise<Reply> => {
    const properties = body.properties ?? {};
    const script = takeScript(properties);
    const apply = (): Reply => {
      const problems = validate(properties);
      if (problems.length) return { status: 400, body: validationError(problems) };
      const email = typeof properties.email === 'string' ? properties.email : undefined;
      const existing = email ? byEmail(email) : undefined;
      if (existing)
        return {
          status: 409,
          body: error('CONFLICT', `Contact already exists. Existing ID: ${existing.id}`),
        };
      return { status: 201, body: view(write(undefined, properties)) };
    };
    return script ? scripted(script, apply) : apply();
  };

  const patch = async (
    id: string,
    idProperty: string | null,
    body: { properties?: Record<string, unknown> },
  ) => {
    const properties = body.properties ?? {};
    const script = takeScript(properties);
    const apply = (): Reply => {
      const contact = idProperty === 'email' ? byEmail(id) : resolve(id);
      if (!contact) return { status: 404, body: NOT_FOUND() };
      const problems = validate(properties);
      if (problems.length) return { status: 400, body: validationError(problems) };
      const email = typeof properties.email === 'string' ? properties.email : undefined;
      const holder = email ? byEmail(email) : undefined;
      if (holder && holder.id !== contact.id)
        return { status: 409, body: error('CONFLICT', `Contact already exists. Existing ID: ${holder.id}`) };
      return { status: 200, body: view(write(contact, properties)) };
    };
    return script ? scripted(script, apply) : apply();
  };

  /** HubSpot archives (deletes) a contact and answers 204, also for an id that names none. */
  const archive = (id: string): Reply => {
    const contact = resolve(id);
    if (contact) {
      contacts.delete(contact.id);
      for (const [old, target] of aliases) if (target === contact.id) aliases.delete(old);
      print('archived', contact);
      save();
    }
    return { status: 204, body: null };
  };

  const search = (body: {
    filterGroups?: { filters?: { propertyName?: string; operator?: string; value?: unknown }[] }[];
    properties?: string[];
    limit?: number;
  }): Reply => {
    const groups = body.filterGroups ?? [];
    const filters = groups.flatMap((group) => group.filters ?? []);
    if (groups.length > 5 || groups.some((g) => (g.filters ?? []).length > 10) || filters.length > 25)
      return {
        status: 400,
        body: error(
          'VALIDATION_ERROR',
          'Too many filters: at most 5 filterGroups, 10 filters each and 25 in all',
        ),
      };
    const limit = body.limit ?? 10;
    if (limit > 200) return { status: 400, body: error('VALIDATION_ERROR', 'limit must be at most 200') };
    for (const filter of filters) {
      if (
        !filter.propertyName ||
        (!known.has(filter.propertyName) && !READ_ONLY_PROPERTIES.includes(filter.propertyName))
      )
        return {
          status: 400,
          body: error(
            'VALIDATION_ERROR',
            `There was a problem with the request. Unknown property ${String(filter.propertyName)}`,
          ),
        };
      if (filter.operator !== 'EQ')
        return {
          status: 400,
          body: error('VALIDATION_ERROR', `Operator ${String(filter.operator)} is not supported here`),
        };
    }
    const visibleBefore = Date.now() - searchLagMs;
    const matches = [...contacts.values()].filter((contact) => {
      // The index shows the last version old enough to have been indexed.
      const indexed = contact.versions.filter((v) => v.at <= visibleBefore).at(-1);
      if (!indexed) return false;
      const indexedValue = (name: string) =>
        name === 'email'
          ? indexed.email
          : name === 'phone'
            ? indexed.phone
            : (contact.properties[name] ?? null);
      return groups.some((group) =>
        (group.filters ?? []).every(
          (f) =>
            (indexedValue(f.propertyName ?? '') ?? '').toLowerCase() === String(f.value ?? '').toLowerCase(),
        ),
      );
    });
    matches.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || Number(a.id) - Number(b.id));
    return {
      status: 200,
      body: {
        total: matches.length,
        results: matches
          .slice(0, limit)
          .map((c) => view(c, body.properties ?? ['email', 'firstname', 'lastname'])),
      },
    };
  };

  // --- rate limits -----------------------------------------------------------------------------

  const today = () => new Date().toISOString().slice(0, 10);
  /** Counts the request, or answers the 429 of the policy it exceeds. */
  const limit = (counts: boolean): Reply | undefined => {
    const now = Date.now();
    if (daily.day !== today()) daily = { day: today(), count: 0 };
    windowHits = windowHits.filter((at) => at > now - tenSecondly.windowMs);
    if (dailyLimit > 0 && daily.count >= dailyLimit) return { status: 429, body: DAILY_LIMIT() };
    if (counts && tenSecondly.limit > 0 && windowHits.length >= tenSecondly.limit)
      return { status: 429, body: TEN_SECONDLY_LIMIT() };
    daily.count++;
    if (counts) windowHits.push(now);
    return undefined;
  };
  const limitHeaders = (): Record<string, string> => {
    const max = tenSecondly.limit || DEFAULT_TEN_SECONDLY;
    const dayMax = dailyLimit || DEFAULT_DAILY;
    return {
      'X-HubSpot-RateLimit-Max': String(max),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, max - windowHits.length)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(tenSecondly.windowMs),
      'X-HubSpot-RateLimit-Daily': String(dayMax),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, dayMax - daily.count)),
    };
  };

  // --- chaos ------------------------------------------------------------------------------------

  const isWrite = (method: string, path: string): boolean =>
    (method === 'POST' &&
      (path === CONTACTS || path === `${CONTACTS}/batch/upsert` || path === `${CONTACTS}/batch/update`)) ||
    (method === 'PATCH' && path.startsWith(`${CONTACTS}/`));
  /** The fault this call meets, if any: the outage first, then a roll of the generator for a write. */
  const pickFault = (method: string, path: string): InjectedFault['kind'] | undefined => {
    if (!chaos) return undefined;
    if (down) return 'outage';
    if (!isWrite(method, path)) return undefined;
    const roll = random();
    const which = random();
    const kinds = chaos.faults?.length ? chaos.faults : CHAOS_FAULTS;
    return roll < chaos.failureRate ? kinds[Math.floor(which * kinds.length)] : undefined;
  };
  const inputsOf = (text: string): number => {
    try {
      const inputs = (JSON.parse(text) as { inputs?: unknown }).inputs;
      return Array.isArray(inputs) ? inputs.length : 1;
    } catch {
      return 1;
    }
  };
  /** A failed call's answer, as HubSpot gives it; nothing was written. */
  const faultReply = (kind: 'http_500' | 'http_503' | 'http_429' | 'outage'): Reply => {
    if (kind === 'http_429') {
      const headers = limitHeaders();
      headers['X-HubSpot-RateLimit-Remaining'] = '0';
      return { status: 429, body: TEN_SECONDLY_LIMIT(), headers };
    }
    const status = kind === 'http_500' ? 500 : 503;
    return { status, body: { status: 'error', message: `chaos ${status}`, correlationId: randomUUID() } };
  };

  // --- routing ---------------------------------------------------------------------------------

  const api = async (request: IncomingMessage, url: URL, text: string): Promise<Reply> => {
    const method = request.method ?? 'GET';
    const path = url.pathname;
    const auth = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const token = auth ? tokens.get(auth) : undefined;
    if (!token?.valid) return { status: 401, body: AUTH_ERROR() };
    const isSearch = method === 'POST' && path === `${CONTACTS}/search`;
    const isRead = method === 'GET' || isSearch;
    if (!isRead && !token.write) return { status: 403, body: SCOPES_ERROR() };
    // Search has its own per-second limit and is outside the ten-secondly window.
    const limited = limit(!isSearch);
    if (limited) return limited;
    let body: Record<string, unknown> = {};
    if (method === 'POST' || method === 'PATCH') {
      try {
        body = JSON.parse(text || '{}') as Record<string, unknown>;
      } catch {
        return { status: 400, body: error('VALIDATION_ERROR', 'Invalid input JSON on line 1') };
      }
    }
    if (method === 'POST' && path === `${CONTACTS}/batch/upsert`) return upsert(body);
    if (method === 'POST' && path === `${CONTACTS}/batch/update`) return update(body);
    if (isSearch) return search(body);
    if (method === 'POST' && path === CONTACTS) return create(body);
    const one = new RegExp(`^${CONTACTS}/([^/]+)$`).exec(path);
    if (one?.[1]) {
      const id = decodeURIComponent(one[1]);
      const idProperty = url.searchParams.get('idProperty');
      if (method === 'PATCH') return patch(id, idProperty, body);
      if (method === 'DELETE') return archive(id);
      if (method === 'GET') {
        const contact = idProperty === 'email' ? byEmail(id) : resolve(id);
        return contact ? { status: 200, body: view(contact) } : { status: 404, body: NOT_FOUND() };
      }
    }
    return { status: 404, body: error('OBJECT_NOT_FOUND', `No route for ${method} ${path}`) };
  };

  const control = (request: IncomingMessage, url: URL, text: string): Reply => {
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const route = `${request.method} ${url.pathname}`;
    if (route === 'POST /__control/tokens') {
      const [token, scope] = String(body.token).split(':');
      const current = tokens.get(token ?? '');
      tokens.set(token ?? '', { valid: body.valid !== false, write: current?.write ?? scope !== 'readonly' });
      return { status: 204, body: null };
    }
    if (route === 'POST /__control/script') {
      const key = String(body.email ?? body.phone ?? '').toLowerCase();
      scripts.set(key, [...((body.responses as ScriptedResponse[]) ?? [])]);
      return { status: 204, body: null };
    }
    if (route === 'POST /__control/rate-limit') {
      tenSecondly = { limit: Number(body.limit ?? 0), windowMs: Number(body.windowSeconds ?? 10) * 1000 };
      dailyLimit = Number(body.daily ?? 0);
      windowHits = [];
      daily = { day: today(), count: 0 };
      return { status: 204, body: null };
    }
    if (route === 'POST /__control/search-lag') {
      searchLagMs = Number(body.ms ?? 0);
      return { status: 204, body: null };
    }
    if (route === 'POST /__control/merge') {
      // HubSpot merges into the primary: the other's id answers for it, its email becomes additional.
      const from = resolve(String(body.from));
      const into = resolve(String(body.into));
      if (!from || !into || from.id === into.id) return { status: 404, body: NOT_FOUND() };
      contacts.delete(from.id);
      aliases.set(from.id, into.id);
      for (const [old, target] of aliases) if (target === from.id) aliases.set(old, into.id);
      into.mergedIds.push(from.id, ...from.mergedIds);
      into.additionalEmails.push(
        ...(from.properties.email ? [from.properties.email] : []),
        ...from.additionalEmails,
      );
      into.properties.hs_merged_object_ids = into.mergedIds.join(';');
      into.versions.push({
        at: Date.now(),
        email: into.properties.email ?? null,
        phone: into.properties.phone ?? null,
      });
      save();
      return { status: 200, body: view(into) };
    }
    if (route === 'GET /__control/records') {
      const email = url.searchParams.get('email')?.toLowerCase();
      const phone = url.searchParams.get('phone');
      const found = [...contacts.values()].filter(
        (c) =>
          (!email || c.properties.email === email || c.additionalEmails.includes(email)) &&
          (!phone || c.properties.phone === phone),
      );
      return { status: 200, body: found.map(({ versions: _v, ...c }) => c) };
    }
    if (route === 'GET /__control/requests') return { status: 200, body: requests };
    if (route === 'GET /__control/faults') return { status: 200, body: faults };
    if (route === 'POST /__control/chaos') {
      down = body.down === true;
      return { status: 204, body: null };
    }
    if (route === 'POST /__control/reset') {
      contacts = new Map();
      aliases = new Map();
      scripts = new Map();
      requests = [];
      tenSecondly = { limit: 0, windowMs: 10_000 };
      dailyLimit = 0;
      windowHits = [];
      daily = { day: today(), count: 0 };
      searchLagMs = options.searchLagMs ?? 0;
      save();
      return { status: 204, body: null };
    }
    return { status: 404, body: { error: 'unknown control route' } };
  };

  const send = (response: ServerResponse, reply: Reply) => {
    if (response.destroyed) return;
    const headers = {
      ...(reply.body === null ? {} : { 'content-type': 'application/json;charset=utf-8' }),
      ...reply.headers,
    };
    response.writeHead(reply.status, headers);
    response.end(reply.body === null ? undefined : JSON.stringify(reply.body));
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    try {
      const text = await readAll(request);
      if (url.pathname.startsWith('/__control/')) return send(response, control(request, url, text));
      const method = request.method ?? 'GET';
      const fault = pickFault(method, url.pathname);
      if (fault)
        faults.push({ at: Date.now(), kind: fault, method, path: url.pathname, inputs: inputsOf(text) });
      if (fault === 'dropped') {
        requests.push({ method, path: url.pathname, status: 0, at: Date.now() });
        request.socket.destroy();
        return;
      }
      const reply = fault && fault !== 'slow' ? faultReply(fault) : await api(request, url, text);
      requests.push({ method, path: url.pathname, status: reply.status, at: Date.now() });
      // A slow answer: written, but answered after the gateway gave up on it.
      if (fault === 'slow') await sleep(chaos?.slowMs ?? 2500);
      return send(response, { ...reply, headers: { ...limitHeaders(), ...reply.headers } });
    } catch (failure) {
      return send(response, {
        status: 500,
        body: {
          status: 'error',
          message: failure instanceof Error ? failure.name : 'error',
          correlationId: randomUUID(),
        },
      });
    }
  });
  await new Promise<void>((ready) => server.listen(options.port ?? 0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        // Late scripted answers would hold the server open past the test.
        server.closeAllConnections();
      }),
  };
}
