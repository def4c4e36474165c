/**
 * A fake Pipedrive (API v2) on 127.0.0.1 for the adapter tests and `npm run dev`: persons and
 * organizations kept in memory (and in `persistPath`, so they survive a restart), v2's strict
 * body validation in its own error shape, exact-match search that lags behind writes by
 * `searchLagMs`, the 2-second rate-limit window with its headers on every answer, the separate
 * search limit, `x-daily-requests-left`, and 401 for an unknown or revoked token.
 *
 * Control API (not Pipedrive's), under /__control/:
 *   POST tokens {token, valid}          revoke or restore a credential
 *   POST script {email?|phone?, responses:[{status, body?, headers?, delayMs?, apply?}]}
 *                                       answer the next person requests (search term or body) of that
 *                                       email/phone; `apply` writes first, then answers (late)
 *   POST rate-limit {limit, windowSeconds, searchLimit?}  limit 0: off (headers stay, no 429)
 *   POST search-lag {ms}                POST daily {left}
 *   POST merge {from, into}             POST delete {id}
 *   GET  records?email=|phone=          GET organizations?name=      GET requests
 *   POST reset
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readAll } from './http.ts';

export interface FakePipedriveOptions {
  port?: number;
  /** API tokens the fake accepts (`x-api-token` header or `api_token` query). */
  tokens: string[];
  /** A JSON file records are loaded from and saved to. */
  persistPath?: string;
  /** How long a write takes to show in search. */
  searchLagMs?: number;
  /** One line per write, contact data masked. */
  print?: boolean;
  /** Person custom-field keys that exist (40-hex hashes); any other key is a 400. */
  customFields?: string[];
  /** Person label ids that exist; any other id is a 400. */
  labels?: number[];
  /** User ids `owner_id` may name; absent: any owner is accepted. */
  owners?: number[];
}

export interface FakePipedrive {
  /** The base URL (the adapter appends `/api/v2/...`). */
  url: string;
  close(): Promise<void>;
}

export interface ScriptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Apply the write before answering (with `delayMs`: a timeout the client cannot tell from a failure). */
  apply?: boolean;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  status: number;
  at: number;
}

interface Contact {
  value: string;
  primary: boolean;
  label: string;
}

interface Person {
  id: number;
  name: string;
  owner_id: number;
  org_id: number | null;
  emails: Contact[];
  phones: Contact[];
  label_ids: number[];
  visible_to: number;
  custom_fields: Record<string, unknown>;
  marketing_status?: string;
  add_time: string;
  update_time: string;
  deleted: boolean;
  merged_into?: number;
}

interface Organization {
  id: number;
  name: string;
  owner_id: number;
  visible_to: number;
  label_ids: number[];
  address: unknown;
  custom_fields: Record<string, unknown>;
  add_time: string;
  update_time: string;
  deleted: boolean;
}

/** What search sees of a record from `visibleAt` on (the write plus the lag then); null: gone. */
interface IndexEntry {
  visibleAt: number;
  terms: { name: string; emails: string[]; phones: string[] } | null;
}

interface State {
  nextPersonId: number;
  nextOrganizationId: number;
  persons: Record<string, Person>;
  organizations: Record<string, Organization>;
  index: { persons: Record<string, IndexEntry[]>; organizations: Record<string, IndexEntry[]> };
}

type Result = { status: number; body: unknown };

const ERROR_INFO = 'Please check developers.pipedrive.com for more information about Pipedrive API.';
const DEFAULT_OWNER = 1;
/** With the limit off the headers still show a window, one no test comes near. */
const OFF_LIMIT = 1000;
const WINDOW_MS = 2000;
const DEFAULT_SEARCH_LIMIT = 10;
const DEFAULT_DAILY = 10000;

const PERSON_KEYS = [
  'name',
  'owner_id',
  'org_id',
  'add_time',
  'update_time',
  'emails',
  'phones',
  'visible_to',
  'label_ids',
  'marketing_status',
  'custom_fields',
];
const ORGANIZATION_KEYS = [
  'name',
  'owner_id',
  'add_time',
  'update_time',
  'visible_to',
  'label_ids',
  'address',
  'custom_fields',
];
const CONTACT_KEYS = ['value', 'primary', 'label'];
const VISIBLE_TO = [1, 3, 5, 7];
const MARKETING = ['no_consent', 'unsubscribed', 'subscribed', 'archived'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const emptyState = (): State => ({
  nextPersonId: 1,
  nextOrganizationId: 1,
  persons: {},
  organizations: {},
  index: { persons: {}, organizations: {} },
});

const error = (status: number, message: string, code?: string): Result => ({
  status,
  body: {
    success: false,
    error: message,
    ...(code ? { code } : {}),
    error_info: ERROR_INFO,
    data: null,
    additional_data: null,
  },
});

const validation = (problems: string[]): Result =>
  error(400, `Validation failed: ${problems.join('; ')}`, 'ERR_SCHEMA_VALIDATION_FAILED');

const time = (ms: number = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const digits = (value: string) => value.replace(/\D/g, '');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `j***@example.com`, `***89`: enough to follow a dev run, not enough to read a lead. */
export const maskEmail = (email: string) => {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
};
const maskPhone = (phone: string) => `***${phone.slice(-2)}`;

/** Starts the fake; see the file comment for what it does and its control API. */
export async function startFakePipedrive(options: FakePipedriveOptions): Promise<FakePipedrive> {
  const tokens = new Map(options.tokens.map((token) => [token, true]));
  const customFields = new Set(options.customFields ?? []);
  const labels = new Set(options.labels ?? []);
  const owners = options.owners ? new Set(options.owners) : undefined;
  let state = emptyState();
  if (options.persistPath && existsSync(options.persistPath))
    state = { ...emptyState(), ...(JSON.parse(readFileSync(options.persistPath, 'utf8')) as Partial<State>) };
  let searchLagMs = options.searchLagMs ?? 0;
  let scripts = new Map<string, ScriptedResponse[]>();
  let requests: ReceivedRequest[] = [];
  let limits: { limit: number; windowMs: number; searchLimit: number } | undefined;
  let windows = { all: { start: 0, count: 0 }, search: { start: 0, count: 0 } };
  let dailyLeft = DEFAULT_DAILY;

  const save = () => {
    if (options.persistPath) writeFileSync(options.persistPath, JSON.stringify(state));
  };
  const print = (line: string) => {
    if (options.print) console.log(`[fake-pipedrive] ${line}`);
  };

  const index = (kind: 'persons' | 'organizations', id: number, terms: IndexEntry['terms']) => {
    const entries = state.index[kind][id] ?? [];
    const now = Date.now();
    // Versions already visible to search are superseded by the newest of them: keep only that one.
    const visible = entries.filter((entry) => entry.visibleAt <= now);
    const pending = entries.filter((entry) => entry.visibleAt > now);
    state.index[kind][id] = [...visible.slice(-1), ...pending, { visibleAt: now + searchLagMs, terms }];
  };
  const indexPerson = (person: Person) =>
    index(
      'persons',
      person.id,
      person.deleted
        ? null
        : {
            name: person.name,
            emails: person.emails.map((email) => email.value),
            phones: person.phones.map((phone) => phone.value),
          },
    );
  const indexOrganization = (organization: Organization) =>
    index(
      'organizations',
      organization.id,
      organization.deleted ? null : { name: organization.name, emails: [], phones: [] },
    );
  const visibleTerms = (kind: 'persons' | 'organizations', id: string) => {
    const now = Date.now();
    // The latest write that search can see by now.
    const entries = (state.index[kind][id] ?? []).filter((entry) => entry.visibleAt <= now);
    return entries.at(-1)?.terms ?? null;
  };

  const personView = (person: Person) => {
    const [first = '', ...rest] = person.name.split(' ');
    return {
      id: person.id,
      name: person.name,
      first_name: first,
      last_name: rest.join(' ') || null,
      owner_id: person.owner_id,
      org_id: person.org_id,
      add_time: person.add_time,
      update_time: person.update_time,
      emails: person.emails,
      phones: person.phones,
      is_deleted: person.deleted,
      visible_to: person.visible_to,
      label_ids: person.label_ids,
      picture_id: null,
      custom_fields: person.custom_fields,
      ...(person.marketing_status ? { marketing_status: person.marketing_status } : {}),
    };
  };
  const organizationView = (organization: Organization) => {
    const { deleted, ...rest } = organization;
    return { ...rest, is_deleted: deleted };
  };
  const livePerson = (id: string) => {
    const person = state.persons[id];
    return person && !person.deleted ? person : undefined;
  };
  const liveOrganization = (id: string) => {
    const organization = state.organizations[id];
    return organization && !organization.deleted ? organization : undefined;
  };

  /** Checks the parts every v2 write shares; problems in v2's `path: message` form. */
  const checkCommon = (body: Record<string, unknown>, allowed: readonly string[], problems: string[]) => {
    for (const key of Object.keys(body))
      if (!allowed.includes(key)) problems.push(`${key}: Parameter '${key}' is not allowed for this request`);
    for (const key of ['owner_id', 'org_id', 'visible_to'] as const) {
      const value = body[key];
      if (value === undefined || (key === 'org_id' && value === null)) continue;
      if (!Number.isInteger(value)) problems.push(`${key}: Parameter '${key}' must be an integer`);
    }
    if (Number.isInteger(body.visible_to) && !VISIBLE_TO.includes(body.visible_to as number))
      problems.push(`visible_to: Parameter 'visible_to' must be one of ${VISIBLE_TO.join(', ')}`);
    if (body.name !== undefined && (typeof body.name !== 'string' || !body.name.trim()))
      problems.push(`name: Parameter 'name' must be a non-empty string`);
    if (
      body.label_ids !== undefined &&
      !(Array.isArray(body.label_ids) && body.label_ids.every(Number.isInteger))
    )
      problems.push(`label_ids: Parameter 'label_ids' must be an array of integers`);
    if (body.custom_fields !== undefined && !isObject(body.custom_fields))
      problems.push(`custom_fields: Parameter 'custom_fields' must be an object`);
  };

  const checkContacts = (key: 'emails' | 'phones', value: unknown, problems: string[]) => {
    if (value === undefined) return;
    if (!Array.isArray(value)) {
      problems.push(`${key}: Parameter '${key}' must be an array`);
      return;
    }
    value.forEach((item: unknown, i) => {
      const path = `${key}.${i}`;
      if (!isObject(item)) {
        problems.push(`${path}: Parameter '${path}' must be an object`);
        return;
      }
      for (const field of Object.keys(item))
        if (!CONTACT_KEYS.includes(field))
          problems.push(`${path}.${field}: Parameter '${path}.${field}' is not allowed for this request`);
      if (typeof item.value !== 'string' || !item.value.trim())
        problems.push(`${path}.value: Parameter '${path}.value' must be a non-empty string`);
      else if (key === 'emails' && !EMAIL.test(item.value))
        problems.push(`${path}.value: Invalid email address`);
      if (item.primary !== undefined && typeof item.primary !== 'boolean')
        problems.push(`${path}.primary: Parameter '${path}.primary' must be a boolean`);
      if (item.label !== undefined && typeof item.label !== 'string')
        problems.push(`${path}.label: Parameter '${path}.label' must be a string`);
    });
  };

  /** The body of a person write, validated the way v2 does; a Result when it is refused. */
  const checkPerson = (body: unknown, create: boolean): Result | undefined => {
    if (!isObject(body)) return error(400, 'Bad request');
    const problems: string[] = [];
    checkCommon(body, PERSON_KEYS, problems);
    if (create && body.name === undefined) problems.push(`name: Parameter 'name' is required`);
    checkContacts('emails', body.emails, problems);
    checkContacts('phones', body.phones, problems);
    if (body.marketing_status !== undefined && !MARKETING.includes(body.marketing_status as string))
      problems.push(`marketing_status: Parameter 'marketing_status' must be one of ${MARKETING.join(', ')}`);
    if (isObject(body.custom_fields))
      for (const key of Object.keys(body.custom_fields))
        if (!customFields.has(key))
          problems.push(
            `custom_fields.${key}: Parameter 'custom_fields.${key}' is not allowed for this request`,
          );
    if (problems.length) return validation(problems);
    // References are checked once the shape is right, as the API does.
    const references: string[] = [];
    for (const id of (body.label_ids as number[] | undefined) ?? [])
      if (!labels.has(id)) references.push(`label_ids: Label with id ${id} does not exist`);
    if (typeof body.org_id === 'number' && !liveOrganization(String(body.org_id)))
      references.push(`org_id: Organization with id ${body.org_id} does not exist`);
    if (typeof body.owner_id === 'number' && owners && !owners.has(body.owner_id))
      references.push(`owner_id: User with id ${body.owner_id} does not exist`);
    return references.length ? validation(references) : undefined;
  };

  const contacts = (value: unknown): Contact[] =>
    (value as Partial<Contact>[]).map((item, i) => ({
      value: String(item.value).trim(),
      primary: item.primary ?? i === 0,
      label: item.label ?? 'work',
    }));

  const applyPerson = (person: Person, body: Record<string, unknown>) => {
    if (typeof body.name === 'string') person.name = body.name.trim();
    if (body.owner_id !== undefined) person.owner_id = body.owner_id as number;
    if (body.org_id !== undefined) person.org_id = body.org_id as number | null;
    if (body.visible_to !== undefined) person.visible_to = body.visible_to as number;
    // v2 replaces these arrays as a whole.
    if (body.emails !== undefined) person.emails = contacts(body.emails);
    if (body.phones !== undefined) person.phones = contacts(body.phones);
    if (body.label_ids !== undefined) person.label_ids = [...(body.label_ids as number[])];
    if (typeof body.marketing_status === 'string') person.marketing_status = body.marketing_status;
    if (isObject(body.custom_fields))
      person.custom_fields = { ...person.custom_fields, ...body.custom_fields };
    person.update_time = time();
  };

  const describe = (person: Person) =>
    person.emails[0]
      ? maskEmail(person.emails[0].value)
      : person.phones[0]
        ? maskPhone(person.phones[0].value)
        : '-';

  const createPerson = (body: unknown): Result => {
    const refused = checkPerson(body, true);
    if (refused) return refused;
    const now = time();
    const person: Person = {
      id: state.nextPersonId++,
      name: '',
      owner_id: DEFAULT_OWNER,
      org_id: null,
      emails: [],
      phones: [],
      label_ids: [],
      visible_to: 3,
      custom_fields: {},
      add_time: now,
      update_time: now,
      deleted: false,
    };
    applyPerson(person, body as Record<string, unknown>);
    state.persons[person.id] = person;
    indexPerson(person);
    save();
    print(`created person ${person.id} (${describe(person)})`);
    return { status: 200, body: { success: true, data: personView(person), additional_data: null } };
  };

  const updatePerson = (id: string, body: unknown): Result => {
    const person = livePerson(id);
    if (!person) return error(404, 'Person not found');
    const refused = checkPerson(body, false);
    if (refused) return refused;
    applyPerson(person, body as Record<string, unknown>);
    indexPerson(person);
    save();
    print(`updated person ${person.id} (${describe(person)})`);
    return { status: 200, body: { success: true, data: personView(person), additional_data: null } };
  };

  const removePerson = (id: string, mergedInto?: number): Result => {
    const person = livePerson(id);
    if (!person) return error(404, 'Person not found');
    person.deleted = true;
    if (mergedInto !== undefined) person.merged_into = mergedInto;
    indexPerson(person);
    save();
    print(`${mergedInto === undefined ? 'deleted' : `merged into ${mergedInto}:`} person ${person.id}`);
    return { status: 200, body: { success: true, data: { id: person.id } } };
  };

  const writeOrganization = (id: string | undefined, body: unknown): Result => {
    if (!isObject(body)) return error(400, 'Bad request');
    const existing = id === undefined ? undefined : liveOrganization(id);
    if (id !== undefined && !existing) return error(404, 'Organization not found');
    const problems: string[] = [];
    checkCommon(body, ORGANIZATION_KEYS, problems);
    if (!existing && body.name === undefined) problems.push(`name: Parameter 'name' is required`);
    if (problems.length) return validation(problems);
    const now = time();
    const organization: Organization = existing ?? {
      id: state.nextOrganizationId++,
      name: '',
      owner_id: DEFAULT_OWNER,
      visible_to: 3,
      label_ids: [],
      address: null,
      custom_fields: {},
      add_time: now,
      update_time: now,
      deleted: false,
    };
    if (typeof body.name === 'string') organization.name = body.name.trim();
    if (body.owner_id !== undefined) organization.owner_id = body.owner_id as number;
    if (body.visible_to !== undefined) organization.visible_to = body.visible_to as number;
    if (body.label_ids !== undefined) organization.label_ids = [...(body.label_ids as number[])];
    if (body.address !== undefined) organization.address = body.address;
    if (isObject(body.custom_fields))
      organization.custom_fields = { ...organization.custom_fields, ...body.custom_fields };
    organization.update_time = now;
    state.organizations[organization.id] = organization;
    indexOrganization(organization);
    save();
    print(
      `${existing ? 'updated' : 'created'} organization ${organization.id} (${organization.name.slice(0, 2)}***)`,
    );
    return {
      status: 200,
      body: { success: true, data: organizationView(organization), additional_data: null },
    };
  };

  const search = (kind: 'persons' | 'organizations', query: URLSearchParams): Result => {
    const term = query.get('term')?.trim() ?? '';
    const exact = query.get('exact_match') === 'true' || query.get('exact_match') === '1';
    if (!term) return validation([`term: Parameter 'term' is required`]);
    if (!exact && term.length < 2)
      return validation([`term: Parameter 'term' must be at least 2 characters`]);
    const searchable = kind === 'persons' ? ['name', 'email', 'phone'] : ['name'];
    const fields = (query.get('fields') ?? searchable.join(',')).split(',').filter(Boolean);
    const unknown = fields.find((field) => !searchable.includes(field) && field !== 'custom_fields');
    if (unknown) return validation([`fields: Field '${unknown}' is not searchable`]);
    const matches = (value: string, phone: boolean) => {
      const [a, b] = phone ? [digits(value), digits(term)] : [value.toLowerCase(), term.toLowerCase()];
      return b !== '' && (exact ? a === b : a.includes(b));
    };
    const items = Object.keys(state[kind])
      .map(Number)
      .sort((a, b) => a - b)
      .flatMap((id): unknown[] => {
        const terms = visibleTerms(kind, String(id));
        if (!terms) return [];
        const hit =
          (fields.includes('name') && matches(terms.name, false)) ||
          (fields.includes('email') && terms.emails.some((email) => matches(email, false))) ||
          (fields.includes('phone') && terms.phones.some((phone) => matches(phone, true)));
        if (!hit) return [];
        if (kind === 'organizations')
          return [{ result_score: 1, item: { id, type: 'organization', name: terms.name, address: null } }];
        const person = state.persons[id];
        const organization = person?.org_id ? state.organizations[person.org_id] : undefined;
        return [
          {
            result_score: 1,
            item: {
              id,
              type: 'person',
              name: terms.name,
              phones: terms.phones,
              emails: terms.emails,
              visible_to: person?.visible_to ?? 3,
              owner: { id: person?.owner_id ?? DEFAULT_OWNER },
              organization: organization
                ? { id: organization.id, name: organization.name, address: null }
                : null,
              custom_fields: [],
              notes: [],
            },
          },
        ];
      });
    return { status: 200, body: { success: true, data: { items }, additional_data: { next_cursor: null } } };
  };

  /** The Pipedrive API proper; everything but auth, limits and scripts. */
  const route = (method: string, path: string, query: URLSearchParams, body: unknown): Result => {
    const match = /^\/api\/v2\/(persons|organizations)(?:\/([^/]+))?$/.exec(path);
    if (!match) return error(404, 'Unknown method .');
    const [, kind, rawId] = match;
    if (rawId === 'search') {
      if (method !== 'GET') return error(404, 'Unknown method .');
      return search(kind as 'persons' | 'organizations', query);
    }
    if (rawId !== undefined && !/^\d+$/.test(rawId))
      return validation([`id: Parameter 'id' must be an integer`]);
    if (kind === 'persons') {
      if (rawId === undefined) {
        if (method === 'POST') return createPerson(body);
        if (method === 'GET') {
          const data = Object.values(state.persons)
            .filter((person) => !person.deleted)
            .map(personView);
          return { status: 200, body: { success: true, data, additional_data: { next_cursor: null } } };
        }
        return error(404, 'Unknown method .');
      }
      if (method === 'PATCH') return updatePerson(rawId, body);
      if (method === 'DELETE') return removePerson(rawId);
      if (method === 'GET') {
        const person = livePerson(rawId);
        return person
          ? { status: 200, body: { success: true, data: personView(person) } }
          : error(404, 'Person not found');
      }
      return error(404, 'Unknown method .');
    }
    if (rawId === undefined) {
      if (method === 'POST') return writeOrganization(undefined, body);
      return error(404, 'Unknown method .');
    }
    if (method === 'PATCH') return writeOrganization(rawId, body);
    if (method === 'GET') {
      const organization = liveOrganization(rawId);
      return organization
        ? { status: 200, body: { success: true, data: organizationView(organization) } }
        : error(404, 'Organization not found');
    }
    return error(404, 'Unknown method .');
  };

  /** The emails and phones a person request is about: the search term, or the body's contacts. */
  const identities = (path: string, query: URLSearchParams, body: unknown): string[] => {
    if (!path.startsWith('/api/v2/persons')) return [];
    const term = query.get('term');
    if (term) return [`email:${term.toLowerCase()}`, `phone:${term}`];
    if (!isObject(body)) return [];
    const values = (key: 'emails' | 'phones') =>
      Array.isArray(body[key])
        ? (body[key] as unknown[]).flatMap((item) =>
            isObject(item) && typeof item.value === 'string' ? [item.value] : [],
          )
        : [];
    return [
      ...values('emails').map((email) => `email:${email.toLowerCase()}`),
      ...values('phones').map((phone) => `phone:${phone}`),
    ];
  };

  const take = (window: { start: number; count: number }, limit: number, windowMs: number, now: number) => {
    if (now - window.start >= windowMs) {
      window.start = now;
      window.count = 0;
    }
    window.count++;
    return {
      allowed: window.count <= limit,
      headers: {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(Math.max(0, limit - window.count)),
        'x-ratelimit-reset': String(Math.max(1, Math.ceil((window.start + windowMs - now) / 1000))),
      },
    };
  };

  const control = (method: string, path: string, query: URLSearchParams, text: string): Result => {
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const done: Result = { status: 200, body: { ok: true } };
    const name = path.slice('/__control/'.length);
    if (method === 'POST' && name === 'tokens') {
      tokens.set(String(body.token), body.valid !== false);
      return done;
    }
    if (method === 'POST' && name === 'script') {
      const responses = (body.responses as ScriptedResponse[] | undefined) ?? [];
      if (typeof body.email === 'string') scripts.set(`email:${body.email.toLowerCase()}`, [...responses]);
      if (typeof body.phone === 'string') scripts.set(`phone:${body.phone}`, [...responses]);
      return done;
    }
    if (method === 'POST' && name === 'rate-limit') {
      const limit = Number(body.limit ?? 0);
      limits =
        limit > 0
          ? {
              limit,
              windowMs: Number(body.windowSeconds ?? 2) * 1000,
              searchLimit: Number(body.searchLimit ?? DEFAULT_SEARCH_LIMIT),
            }
          : undefined;
      windows = { all: { start: 0, count: 0 }, search: { start: 0, count: 0 } };
      return done;
    }
    if (method === 'POST' && name === 'search-lag') {
      searchLagMs = Number(body.ms ?? 0);
      return done;
    }
    if (method === 'POST' && name === 'daily') {
      dailyLeft = Number(body.left ?? DEFAULT_DAILY);
      return done;
    }
    if (method === 'POST' && name === 'merge') {
      const into = livePerson(String(body.into));
      const from = livePerson(String(body.from));
      if (!into || !from || into === from) return error(404, 'Person not found');
      // The survivor keeps the merged person's addresses and numbers, as a merge in Pipedrive does.
      for (const key of ['emails', 'phones'] as const)
        for (const contact of from[key])
          if (!into[key].some((own) => own.value.toLowerCase() === contact.value.toLowerCase()))
            into[key].push({ ...contact, primary: false });
      into.update_time = time();
      indexPerson(into);
      return removePerson(String(from.id), into.id);
    }
    if (method === 'POST' && name === 'delete') return removePerson(String(body.id));
    if (method === 'GET' && name === 'records') {
      const email = query.get('email')?.toLowerCase();
      const phone = query.get('phone');
      const data = Object.values(state.persons)
        .filter((person) => !person.deleted)
        .filter((person) => !email || person.emails.some((e) => e.value.toLowerCase() === email))
        .filter((person) => !phone || person.phones.some((p) => digits(p.value) === digits(phone)))
        .map(personView);
      return { status: 200, body: data };
    }
    if (method === 'GET' && name === 'organizations') {
      const wanted = query.get('name')?.toLowerCase();
      const data = Object.values(state.organizations)
        .filter((organization) => !organization.deleted)
        .filter((organization) => !wanted || organization.name.toLowerCase() === wanted)
        .map(organizationView);
      return { status: 200, body: data };
    }
    if (method === 'GET' && name === 'requests') return { status: 200, body: requests };
    if (method === 'POST' && name === 'reset') {
      state = emptyState();
      scripts = new Map();
      requests = [];
      limits = undefined;
      windows = { all: { start: 0, count: 0 }, search: { start: 0, count: 0 } };
      dailyLeft = DEFAULT_DAILY;
      searchLagMs = options.searchLagMs ?? 0;
      tokens.clear();
      for (const token of options.tokens) tokens.set(token, true);
      save();
      return done;
    }
    return { status: 404, body: { error: 'unknown control' } };
  };

  const reply = (response: ServerResponse, result: Result, headers: Record<string, string> = {}) => {
    if (response.destroyed) return;
    response.writeHead(result.status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(result.body));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const text = await readAll(request);
    if (url.pathname.startsWith('/__control/'))
      return reply(response, control(method, url.pathname, url.searchParams, text));

    const entry: ReceivedRequest = { method, path: url.pathname, status: 0, at: Date.now() };
    requests.push(entry);
    const answer = (result: Result, headers: Record<string, string>) => {
      entry.status = result.status;
      reply(response, result, headers);
    };

    const now = Date.now();
    const isSearch = url.pathname.endsWith('/search');
    const isWrite = method === 'POST' || method === 'PATCH' || method === 'PUT';
    const general = take(windows.all, limits?.limit ?? OFF_LIMIT, limits?.windowMs ?? WINDOW_MS, now);
    const searched =
      isSearch && limits ? take(windows.search, limits.searchLimit, limits.windowMs, now) : undefined;
    const headers: Record<string, string> = {
      ...general.headers,
      ...(searched?.headers ?? {}),
      'x-daily-requests-left': String(dailyLeft),
    };

    const token = String(request.headers['x-api-token'] ?? url.searchParams.get('api_token') ?? '');
    if (!tokens.get(token))
      return answer(
        {
          status: 401,
          body: {
            success: false,
            error: 'unauthorized access',
            errorCode: 401,
            error_info: 'Please check developers.pipedrive.com',
          },
        },
        headers,
      );
    if (limits && (!general.allowed || (searched && !searched.allowed)))
      return answer(error(429, 'Request over limit'), headers);
    if (isWrite && dailyLeft <= 0) return answer(error(429, 'Request over limit'), headers);

    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return answer(error(400, 'Bad request'), headers);
    }

    const scriptKey = identities(url.pathname, url.searchParams, body).find(
      (key) => scripts.get(key)?.length,
    );
    const scripted = scriptKey ? scripts.get(scriptKey)?.shift() : undefined;
    if (scripted) {
      const applied = scripted.apply ? route(method, url.pathname, url.searchParams, body) : undefined;
      if (applied && isWrite && applied.status < 300) dailyLeft = Math.max(0, dailyLeft - 1);
      if (scripted.delayMs) await sleep(scripted.delayMs);
      const fallback =
        scripted.status < 300
          ? (applied?.body ?? { success: true, data: null })
          : scripted.status === 429
            ? error(429, 'Request over limit').body
            : scripted.status >= 500
              ? error(scripted.status, 'Internal server error', 'ERR_UNKNOWN').body
              : error(scripted.status, `Scripted ${scripted.status}`).body;
      return answer(
        { status: scripted.status, body: scripted.body ?? fallback },
        {
          ...headers,
          'x-daily-requests-left': String(dailyLeft),
          ...scripted.headers,
        },
      );
    }

    const result = route(method, url.pathname, url.searchParams, body);
    if (isWrite && result.status < 300) dailyLeft = Math.max(0, dailyLeft - 1);
    return answer(result, { ...headers, 'x-daily-requests-left': String(dailyLeft) });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((failure: unknown) => {
      reply(
        response,
        error(500, failure instanceof Error ? failure.name : 'Internal server error', 'ERR_UNKNOWN'),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
