/**
 * A fake Salesforce org on 127.0.0.1 for the Salesforce destination's tests and `npm run dev`: the
 * OAuth client-credentials token endpoint and the REST resources the adapter uses, answering as the
 * real API does (error arrays `[{message, errorCode, fields?}]`, `Sforce-Limit-Info` on every
 * authenticated answer, 403 REQUEST_LIMIT_EXCEEDED past the allocation, the Lead's required fields,
 * INVALID_FIELD for a field the object lacks, upsert on external-id fields with 300 on several
 * matches, deleted and converted records). One server is both the login URL and the instance URL.
 *
 * Control API (not Salesforce's), under /__control/:
 * - POST tokens {token, valid}: revoke or restore an issued access token;
 * - POST clients {id, secret?, valid?}: disable or enable a connected app, or add one (with secret);
 * - POST expire-tokens: every issued token answers 401 INVALID_SESSION_ID, as after a session timeout;
 * - POST script {email?, phone?, responses:[{status, body?, headers?, delayMs?, apply?}]}: the next
 *   API requests about that lead (body, matched record or query value) get these answers in order;
 *   `apply: true` runs the real request first (the write lands), then answers after the delay;
 * - POST rate-limit {limit, windowSeconds}: the API allocation (0: unlimited). Salesforce's answer
 *   past it is 403 REQUEST_LIMIT_EXCEEDED, not 429, so that is what this fake answers;
 * - POST search-lag {ms}: records are found by SOQL only this long after their create. Real SOQL is
 *   consistent; the lag exists to prove the adapter relies on the record id it was given;
 * - POST delete {id}: to the recycle bin (a later PATCH answers 404 ENTITY_IS_DELETED);
 * - POST convert {id}: converts a lead: a Contact is made from it, a PATCH of the lead answers 400
 *   CANNOT_UPDATE_CONVERTED_LEAD; answers {contactId};
 * - GET records?email=&phone=&object=, GET requests, POST reset.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readAll } from './http.ts';

export interface FakeSalesforceOptions {
  port?: number;
  /** Connected apps allowed the client-credentials flow. */
  clients: { id: string; secret: string }[];
  /** Records are loaded from and saved to this JSON file, so they survive a restart. */
  persistPath?: string;
  searchLagMs?: number;
  /** One line per write, contact data masked. */
  print?: boolean;
  /** Custom fields marked External ID (on both objects), for upserts. */
  externalIdFields?: string[];
  /** Other custom fields both objects have. */
  customFields?: string[];
  /** The org's API allocation per 24 h; past it, 403 REQUEST_LIMIT_EXCEEDED. Absent: unlimited. */
  dailyLimit?: number;
}

export interface FakeSalesforce {
  url: string;
  close(): Promise<void>;
}

export interface ScriptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  apply?: boolean;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  status: number;
  at: number;
}

type SObject = 'Lead' | 'Contact';
type Value = string | number | boolean | null;

export interface SalesforceRecord {
  id: string;
  object: SObject;
  fields: Record<string, Value>;
  createdAt: number;
  updatedAt: number;
  isDeleted: boolean;
  isConverted: boolean;
  convertedContactId?: string;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface SfError {
  message: string;
  errorCode: string;
  fields?: string[];
}

interface FieldSpec {
  label: string;
  type: 'string' | 'email' | 'boolean' | 'number';
  max?: number;
}

const string = (label: string, max: number): FieldSpec => ({ label, type: 'string', max });

const STANDARD_FIELDS: Record<SObject, Record<string, FieldSpec>> = {
  Lead: {
    FirstName: string('First Name', 40),
    LastName: string('Last Name', 80),
    Company: string('Company', 255),
    Email: { label: 'Email', type: 'email', max: 80 },
    Phone: string('Phone', 40),
    MobilePhone: string('Mobile Phone', 40),
    Title: string('Title', 128),
    Country: string('Country', 80),
    City: string('City', 40),
    State: string('State/Province', 80),
    PostalCode: string('Zip/Postal Code', 20),
    Street: string('Street', 255),
    LeadSource: string('Lead Source', 255),
    Status: string('Lead Status', 255),
    Description: string('Description', 32000),
    Website: string('Website', 255),
    Industry: string('Industry', 255),
    Salutation: string('Salutation', 40),
    NumberOfEmployees: { label: 'Employees', type: 'number' },
    HasOptedOutOfEmail: { label: 'Email Opt Out', type: 'boolean' },
  },
  Contact: {
    FirstName: string('First Name', 40),
    LastName: string('Last Name', 80),
    Email: { label: 'Email', type: 'email', max: 80 },
    Phone: string('Business Phone', 40),
    MobilePhone: string('Mobile', 40),
    Title: string('Title', 128),
    MailingCountry: string('Mailing Country', 80),
    MailingCity: string('Mailing City', 40),
    MailingState: string('Mailing State/Province', 80),
    MailingPostalCode: string('Mailing Zip/Postal Code', 20),
    MailingStreet: string('Mailing Street', 255),
    LeadSource: string('Lead Source', 255),
    Description: string('Description', 32000),
    Department: string('Department', 80),
    AccountId: string('Account ID', 18),
    HasOptedOutOfEmail: { label: 'Email Opt Out', type: 'boolean' },
  },
};
const READ_ONLY = ['Id', 'IsConverted', 'IsDeleted', 'CreatedDate', 'LastModifiedDate', 'ConvertedContactId'];
const REQUIRED: Record<SObject, string[]> = { Lead: ['LastName', 'Company'], Contact: ['LastName'] };
const PREFIX: Record<SObject, string> = { Lead: '00Q', Contact: '003' };
const LIMIT_WHEN_UNLIMITED = 100_000;
const DAY_MS = 86_400_000;

const DEFAULT_CODES: Record<number, string> = {
  400: 'INVALID_INPUT',
  401: 'INVALID_SESSION_ID',
  403: 'INSUFFICIENT_ACCESS',
  404: 'NOT_FOUND',
  429: 'REQUEST_LIMIT_EXCEEDED',
  500: 'UNKNOWN_EXCEPTION',
  503: 'SERVER_UNAVAILABLE',
};

const NOT_FOUND: Reply = {
  status: 404,
  body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }],
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const maskEmail = (email: string) => email.replace(/^(.)[^@]*/, '$1***');
const maskPhone = (phone: string) => `***${phone.slice(-2)}`;

/** SOQL string-literal escapes, reversed; undefined for an escape SOQL does not know. */
function unescapeSoql(literal: string): string | undefined {
  const escapes: Record<string, string> = {
    n: '\n',
    r: '\r',
    t: '\t',
    b: '\b',
    f: '\f',
    '"': '"',
    "'": "'",
    '\\': '\\',
  };
  let bad = false;
  const text = literal.replace(/\\(.)/g, (_match, c: string) => {
    const out = escapes[c];
    if (out === undefined) bad = true;
    return out ?? '';
  });
  return bad ? undefined : text;
}

/** The fake org (see the file comment); `url` is both the login URL and the instance URL. */
export async function startFakeSalesforce(options: FakeSalesforceOptions): Promise<FakeSalesforce> {
  const clients = new Map<string, { secret: string; valid: boolean }>();
  const resetClients = () => {
    clients.clear();
    for (const client of options.clients) clients.set(client.id, { secret: client.secret, valid: true });
  };
  resetClients();
  const tokens = new Map<string, { clientId: string; valid: boolean }>();
  const records = new Map<string, SalesforceRecord>();
  let nextId = 1;
  const scripts = new Map<string, ScriptedResponse[]>();
  const requests: ReceivedRequest[] = [];
  const initialLimit = () =>
    options.dailyLimit ? { limit: options.dailyLimit, windowMs: DAY_MS } : { limit: 0, windowMs: DAY_MS };
  let allocation = initialLimit();
  let usage = { start: Date.now(), count: 0 };
  let searchLagMs = options.searchLagMs ?? 0;
  const externalIdFields = options.externalIdFields ?? [];
  const customFields = [...(options.customFields ?? []), ...externalIdFields];
  let base = '';

  if (options.persistPath && existsSync(options.persistPath)) {
    const saved = JSON.parse(readFileSync(options.persistPath, 'utf8')) as {
      nextId: number;
      records: SalesforceRecord[];
    };
    nextId = saved.nextId;
    for (const record of saved.records) records.set(record.id, record);
  }
  const save = () => {
    if (options.persistPath)
      writeFileSync(options.persistPath, JSON.stringify({ nextId, records: [...records.values()] }, null, 2));
  };
  const print = (verb: string, record: SalesforceRecord) => {
    if (!options.print) return;
    const email = record.fields.Email;
    const phone = record.fields.Phone;
    const who =
      typeof email === 'string' ? maskEmail(email) : typeof phone === 'string' ? maskPhone(phone) : '-';
    console.log(`[fake-salesforce] ${verb} ${record.object} ${record.id} (${who})`);
  };

  const newId = (object: SObject) => `${PREFIX[object]}Fk${String(nextId++).padStart(10, '0')}AAA`;

  /** The field's canonical name on the object (Salesforce field names are case-insensitive). */
  const canonical = (object: SObject, name: string): string | undefined => {
    const lower = name.toLowerCase();
    return [...Object.keys(STANDARD_FIELDS[object]), ...customFields, ...READ_ONLY].find(
      (f) => f.toLowerCase() === lower,
    );
  };

  const same = (a: Value | undefined, b: string) =>
    a !== null && a !== undefined && String(a).toLowerCase() === b.toLowerCase();

  /** The request body as the object's fields, or the errors Salesforce answers for it. */
  function validate(
    object: SObject,
    body: unknown,
    forbidden?: string,
  ): { ok: true; fields: Record<string, Value> } | { ok: false; errors: SfError[] } {
    if (!isObject(body))
      return {
        ok: false,
        errors: [{ errorCode: 'JSON_PARSER_ERROR', message: 'Cannot deserialize instance of the sObject' }],
      };
    const errors: SfError[] = [];
    const fields: Record<string, Value> = {};
    for (const [key, value] of Object.entries(body)) {
      const name = canonical(object, key);
      if (!name) {
        errors.push({
          errorCode: 'INVALID_FIELD',
          message: `No such column '${key}' on sobject of type ${object}`,
        });
        continue;
      }
      if (READ_ONLY.includes(name) || name === forbidden) {
        errors.push({
          errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
          message: `Unable to create/update fields: ${name}. Please check the security settings of this field.`,
          fields: [name],
        });
        continue;
      }
      const spec: FieldSpec = STANDARD_FIELDS[object][name] ?? { label: name, type: 'string', max: 255 };
      if (
        value !== null &&
        typeof value !== 'string' &&
        typeof value !== 'number' &&
        typeof value !== 'boolean'
      ) {
        errors.push({ errorCode: 'JSON_PARSER_ERROR', message: `Cannot deserialize value of ${name}` });
        continue;
      }
      if (
        (spec.type === 'boolean' && value !== null && typeof value !== 'boolean') ||
        (spec.type === 'number' && value !== null && typeof value !== 'number')
      ) {
        errors.push({ errorCode: 'JSON_PARSER_ERROR', message: `Cannot deserialize value of ${name}` });
        continue;
      }
      if (typeof value === 'string' && spec.max !== undefined && value.length > spec.max) {
        // Like the real message, this one quotes the value: the adapter must not pass it on.
        errors.push({
          errorCode: 'STRING_TOO_LONG',
          message: `${spec.label}: data value too large: ${value} (max length=${spec.max})`,
          fields: [name],
        });
        continue;
      }
      if (
        spec.type === 'email' &&
        typeof value === 'string' &&
        value &&
        !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)
      ) {
        errors.push({
          errorCode: 'INVALID_EMAIL_ADDRESS',
          message: `${spec.label}: invalid email address: ${value}`,
          fields: [name],
        });
        continue;
      }
      fields[name] = value;
    }
    return errors.length ? { ok: false, errors } : { ok: true, fields };
  }

  const missingRequired = (object: SObject, fields: Record<string, Value>): Reply | undefined => {
    const missing = REQUIRED[object].filter(
      (f) => fields[f] === undefined || fields[f] === null || fields[f] === '',
    );
    return missing.length
      ? {
          status: 400,
          body: [
            {
              message: `Required fields are missing: [${missing.join(', ')}]`,
              errorCode: 'REQUIRED_FIELD_MISSING',
              fields: missing,
            },
          ],
        }
      : undefined;
  };

  const create = (object: SObject, fields: Record<string, Value>): SalesforceRecord => {
    const now = Date.now();
    const record: SalesforceRecord = {
      id: newId(object),
      object,
      fields,
      createdAt: now,
      updatedAt: now,
      isDeleted: false,
      isConverted: false,
    };
    records.set(record.id, record);
    save();
    print('created', record);
    return record;
  };

  const patch = (record: SalesforceRecord, fields: Record<string, Value>) => {
    Object.assign(record.fields, fields);
    record.updatedAt = Date.now();
    save();
    print('updated', record);
  };

  const live = (object: SObject) => [...records.values()].filter((r) => r.object === object && !r.isDeleted);

  const asObject = (name: string | undefined): SObject | undefined =>
    name === 'Lead' || name === 'Contact' ? name : undefined;

  const recordUrl = (version: string, record: SalesforceRecord) =>
    `/services/data/${version}/sobjects/${record.object}/${record.id}`;

  function parseQuery(q: string): { reply: Reply } | { object: SObject; field: string; value: string } {
    const match =
      /^SELECT Id FROM (\w+) WHERE (\w+) = '((?:[^'\\]|\\.)*)' ORDER BY CreatedDate LIMIT 1$/.exec(q);
    const malformed: Reply = {
      status: 400,
      body: [{ message: "unexpected token: '<query>'", errorCode: 'MALFORMED_QUERY' }],
    };
    if (!match) return { reply: malformed };
    const [, type = '', column = '', literal = ''] = match;
    const object = asObject(type);
    if (!object)
      return {
        reply: {
          status: 400,
          body: [{ message: `sObject type '${type}' is not supported.`, errorCode: 'INVALID_TYPE' }],
        },
      };
    const field = canonical(object, column);
    if (!field)
      return {
        reply: {
          status: 400,
          body: [
            { message: `No such column '${column}' on entity '${object}'.`, errorCode: 'INVALID_FIELD' },
          ],
        },
      };
    const value = unescapeSoql(literal);
    if (value === undefined) return { reply: malformed };
    return { object, field, value };
  }

  /** Who the request is about, for scripts: the body's email/phone, the record's, or the query value. */
  function leadKeys(route: Route, body: unknown): string[] {
    const keys: string[] = [];
    const add = (email: Value | undefined, phone: Value | undefined) => {
      if (typeof email === 'string' && email) keys.push(`email:${email.toLowerCase()}`);
      if (typeof phone === 'string' && phone) keys.push(`phone:${phone}`);
    };
    if (isObject(body)) add(body.Email as Value, body.Phone as Value);
    if (route.kind === 'query') {
      const parsed = parseQuery(route.q);
      if (!('reply' in parsed)) {
        if (parsed.field === 'Email') add(parsed.value, undefined);
        if (parsed.field === 'Phone') add(undefined, parsed.value);
      }
    }
    if (route.kind === 'update') {
      const record = records.get(route.id);
      if (record) add(record.fields.Email, record.fields.Phone);
    }
    if (route.kind === 'upsert') {
      const object = asObject(route.object);
      const field = object && canonical(object, route.field);
      const record =
        object && field ? live(object).find((r) => same(r.fields[field], route.value)) : undefined;
      if (record) add(record.fields.Email, record.fields.Phone);
    }
    return keys;
  }

  type Route =
    | { kind: 'query'; version: string; q: string }
    | { kind: 'create'; version: string; object: string }
    | { kind: 'update'; version: string; object: string; id: string }
    | { kind: 'upsert'; version: string; object: string; field: string; value: string }
    | { kind: 'unknown'; version: string };

  function route(method: string, url: URL): Route | Reply {
    const match = /^\/services\/data\/(v\d+\.\d+)(\/.*)?$/.exec(url.pathname);
    if (!match) return NOT_FOUND;
    const version = match[1] ?? '';
    const rest = (match[2] ?? '').split('/').filter(Boolean).map(decodeURIComponent);
    const methodNotAllowed = (allowed: string): Reply => ({
      status: 405,
      body: [
        {
          errorCode: 'METHOD_NOT_ALLOWED',
          message: `HTTP Method '${method}' not allowed. Allowed are ${allowed}`,
        },
      ],
    });
    if (rest[0] === 'query' && rest.length === 1) {
      if (method !== 'GET') return methodNotAllowed('GET,HEAD');
      return { kind: 'query', version, q: url.searchParams.get('q') ?? '' };
    }
    if (rest[0] === 'sobjects' && rest[1]) {
      const object = rest[1];
      if (rest.length === 2)
        return method === 'POST' ? { kind: 'create', version, object } : methodNotAllowed('HEAD,GET,POST');
      if (rest.length === 3 && rest[2])
        return method === 'PATCH'
          ? { kind: 'update', version, object, id: rest[2] }
          : methodNotAllowed('HEAD,GET,PATCH,DELETE');
      if (rest.length === 4 && rest[2] && rest[3] !== undefined)
        return method === 'PATCH'
          ? { kind: 'upsert', version, object, field: rest[2], value: rest[3] }
          : methodNotAllowed('HEAD,GET,PATCH,DELETE,POST');
    }
    return { kind: 'unknown', version };
  }

  function handle(r: Route, body: unknown): Reply {
    if (r.kind === 'unknown') return NOT_FOUND;
    if (r.kind === 'query') {
      const parsed = parseQuery(r.q);
      if ('reply' in parsed) return parsed.reply;
      const visibleBefore = Date.now() - searchLagMs;
      const found = live(parsed.object)
        .filter((rec) => rec.createdAt <= visibleBefore && same(rec.fields[parsed.field], parsed.value))
        .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
        .slice(0, 1);
      return {
        status: 200,
        body: {
          totalSize: found.length,
          done: true,
          records: found.map((rec) => ({
            attributes: { type: rec.object, url: recordUrl(r.version, rec) },
            Id: rec.id,
          })),
        },
      };
    }
    const object = asObject(r.object);
    if (!object) return NOT_FOUND;
    const major = Number(/^v(\d+)/.exec(r.version)?.[1] ?? 0);
    if (r.kind === 'create') {
      const valid = validate(object, body);
      if (!valid.ok) return { status: 400, body: valid.errors };
      const missing = missingRequired(object, valid.fields);
      if (missing) return missing;
      const record = create(object, valid.fields);
      return { status: 201, body: { id: record.id, success: true, errors: [] } };
    }
    if (r.kind === 'update') {
      const record = records.get(r.id);
      if (!record || record.object !== object) return NOT_FOUND;
      if (record.isDeleted)
        return {
          status: 404,
          body: [{ message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED', fields: [] }],
        };
      if (record.isConverted)
        return {
          status: 400,
          body: [
            {
              message: 'cannot reference converted lead',
              errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD',
              fields: [],
            },
          ],
        };
      const valid = validate(object, body);
      if (!valid.ok) return { status: 400, body: valid.errors };
      patch(record, valid.fields);
      return { status: 204 };
    }
    // Upsert on an external-id field.
    const field = externalIdFields.find((f) => f.toLowerCase() === r.field.toLowerCase());
    if (!field) return NOT_FOUND;
    const valid = validate(object, body, field);
    if (!valid.ok) return { status: 400, body: valid.errors };
    const matches = live(object).filter((rec) => same(rec.fields[field], r.value));
    if (matches.length > 1) return { status: 300, body: matches.map((rec) => recordUrl(r.version, rec)) };
    const [match] = matches;
    if (match) {
      if (match.isConverted)
        return {
          status: 400,
          body: [
            {
              message: 'cannot reference converted lead',
              errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD',
              fields: [],
            },
          ],
        };
      patch(match, valid.fields);
      return major >= 46
        ? { status: 200, body: { id: match.id, success: true, errors: [], created: false } }
        : { status: 204 };
    }
    const fields = { ...valid.fields, [field]: r.value };
    const missing = missingRequired(object, fields);
    if (missing) return missing;
    const record = create(object, fields);
    return {
      status: 201,
      body: { id: record.id, success: true, errors: [], ...(major >= 46 ? { created: true } : {}) },
    };
  }

  function token(body: string): Reply {
    const form = new URLSearchParams(body);
    const oauthError = (error: string, description: string): Reply => ({
      status: 400,
      body: { error, error_description: description },
    });
    if (form.get('grant_type') !== 'client_credentials')
      return oauthError('unsupported_grant_type', 'grant type not supported');
    const clientId = form.get('client_id') ?? '';
    const client = clients.get(clientId);
    if (!client) return oauthError('invalid_client_id', 'client identifier invalid');
    if (!client.valid || client.secret !== form.get('client_secret'))
      return oauthError('invalid_client', 'invalid client credentials');
    const accessToken = `00DFk0000000001!${randomBytes(30).toString('base64url')}`;
    tokens.set(accessToken, { clientId, valid: true });
    const issuedAt = String(Date.now());
    const id = `${base}/id/00DFk0000000001AAA/005Fk0000000001AAA`;
    return {
      status: 200,
      body: {
        access_token: accessToken,
        signature: createHmac('sha256', client.secret)
          .update(id + issuedAt)
          .digest('base64'),
        scope: 'api',
        instance_url: base,
        id,
        token_type: 'Bearer',
        issued_at: issuedAt,
      },
    };
  }

  async function control(path: string, method: string, url: URL, body: string): Promise<Reply> {
    const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    const done: Reply = { status: 204 };
    if (method === 'POST' && path === 'tokens') {
      const entry = tokens.get(String(input.token));
      if (!entry) return { status: 404, body: { error: 'unknown token' } };
      entry.valid = input.valid !== false;
      return done;
    }
    if (method === 'POST' && path === 'clients') {
      const id = String(input.id);
      const existing = clients.get(id);
      if (existing) existing.valid = input.valid !== false;
      else if (typeof input.secret === 'string')
        clients.set(id, { secret: input.secret, valid: input.valid !== false });
      else return { status: 404, body: { error: 'unknown client' } };
      return done;
    }
    if (method === 'POST' && path === 'expire-tokens') {
      for (const entry of tokens.values()) entry.valid = false;
      return done;
    }
    if (method === 'POST' && path === 'script') {
      const responses = (input.responses ?? []) as ScriptedResponse[];
      if (typeof input.email === 'string') scripts.set(`email:${input.email.toLowerCase()}`, [...responses]);
      else if (typeof input.phone === 'string') scripts.set(`phone:${input.phone}`, [...responses]);
      else return { status: 400, body: { error: 'email or phone required' } };
      return done;
    }
    if (method === 'POST' && path === 'rate-limit') {
      const limit = Number(input.limit ?? 0);
      allocation = { limit: Math.max(limit, 0), windowMs: Number(input.windowSeconds ?? 86_400) * 1000 };
      usage = { start: Date.now(), count: 0 };
      return done;
    }
    if (method === 'POST' && path === 'search-lag') {
      searchLagMs = Number(input.ms ?? 0);
      return done;
    }
    if (method === 'POST' && path === 'delete') {
      const record = records.get(String(input.id));
      if (!record) return { status: 404, body: { error: 'unknown record' } };
      record.isDeleted = true;
      save();
      print('deleted', record);
      return done;
    }
    if (method === 'POST' && path === 'convert') {
      const lead = records.get(String(input.id));
      if (lead?.object !== 'Lead' || lead.isDeleted) return { status: 404, body: { error: 'unknown lead' } };
      const { FirstName, LastName, Email, Phone, Title, Country, City } = lead.fields;
      const fields: Record<string, Value> = {};
      for (const [name, value] of Object.entries({
        FirstName,
        LastName,
        Email,
        Phone,
        Title,
        MailingCountry: Country,
        MailingCity: City,
      }))
        if (value !== undefined) fields[name] = value;
      const contact = create('Contact', fields);
      lead.isConverted = true;
      lead.convertedContactId = contact.id;
      save();
      return { status: 200, body: { contactId: contact.id } };
    }
    if (method === 'GET' && path === 'records') {
      const email = url.searchParams.get('email');
      const phone = url.searchParams.get('phone');
      const object = url.searchParams.get('object');
      return {
        status: 200,
        body: [...records.values()].filter(
          (r) =>
            (!email || same(r.fields.Email, email)) &&
            (!phone || r.fields.Phone === phone) &&
            (!object || r.object === object),
        ),
      };
    }
    if (method === 'GET' && path === 'requests') return { status: 200, body: requests };
    if (method === 'POST' && path === 'reset') {
      records.clear();
      scripts.clear();
      requests.length = 0;
      allocation = initialLimit();
      usage = { start: Date.now(), count: 0 };
      searchLagMs = options.searchLagMs ?? 0;
      resetClients();
      // Issued tokens stay issued, and valid again, so a test starts with no expired session.
      for (const entry of tokens.values()) entry.valid = true;
      save();
      return done;
    }
    return { status: 404, body: { error: 'unknown control' } };
  }

  const send = (response: ServerResponse, reply: Reply) => {
    const headers: Record<string, string> = {
      ...(reply.body === undefined ? {} : { 'content-type': 'application/json;charset=UTF-8' }),
      ...reply.headers,
    };
    response.writeHead(reply.status, headers);
    response.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  };

  const server = createServer(async (request, response) => {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let reply: Reply;
    try {
      const body = await readAll(request);
      if (url.pathname.startsWith('/__control/')) {
        return send(response, await control(url.pathname.slice('/__control/'.length), method, url, body));
      }
      if (url.pathname === '/services/oauth2/token') {
        reply = method === 'POST' ? token(body) : { status: 405, body: { error: 'invalid_request' } };
      } else {
        reply = await api(method, url, body, request.headers.authorization);
      }
    } catch {
      reply = {
        status: 500,
        body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred' }],
      };
    }
    requests.push({ method, path: url.pathname, status: reply.status, at: Date.now() });
    send(response, reply);
  });

  async function api(
    method: string,
    url: URL,
    raw: string,
    authorization: string | undefined,
  ): Promise<Reply> {
    const auth = /^Bearer (.+)$/.exec(authorization ?? '');
    const entry = auth?.[1] ? tokens.get(auth[1]) : undefined;
    if (!entry?.valid) {
      // Unauthenticated: no org to count against, so no Sforce-Limit-Info.
      return {
        status: 401,
        body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
      };
    }
    const now = Date.now();
    if (now - usage.start >= allocation.windowMs) usage = { start: now, count: 0 };
    usage.count++;
    const limitInfo = {
      'sforce-limit-info': `api-usage=${usage.count}/${allocation.limit || LIMIT_WHEN_UNLIMITED}`,
    };
    const withInfo = (reply: Reply): Reply => ({ ...reply, headers: { ...limitInfo, ...reply.headers } });
    if (allocation.limit && usage.count > allocation.limit)
      return withInfo({
        status: 403,
        body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
      });
    const routed = route(method, url);
    if (!('kind' in routed)) return withInfo(routed);
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return withInfo({
          status: 400,
          body: [{ message: 'Unexpected character', errorCode: 'JSON_PARSER_ERROR' }],
        });
      }
    }
    const key = leadKeys(routed, body).find((k) => scripts.get(k)?.length);
    const scripted = key ? scripts.get(key)?.shift() : undefined;
    if (!scripted) return withInfo(handle(routed, body));
    const real = scripted.apply ? handle(routed, body) : undefined;
    if (scripted.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
    if (real && scripted.status < 400) return withInfo(real);
    return withInfo({
      status: scripted.status,
      body:
        scripted.body ??
        (scripted.status >= 400
          ? [
              {
                message: `scripted ${scripted.status}`,
                errorCode: DEFAULT_CODES[scripted.status] ?? 'UNKNOWN_EXCEPTION',
              },
            ]
          : undefined),
      ...(scripted.headers ? { headers: scripted.headers } : {}),
    });
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
