// A seeded fuzz of the edge, POST /in/:source: leads signed as `demo` signs and then mutated
// (truncated, bytes flipped, invalid UTF-8, NUL, unicode, keys spelled loosely, nesting and value
// counts on both sides of the limits of src/pipeline/parse.ts, bodies around MAX_BODY_BYTES),
// signatures present, absent, forged and repeated, every content type, and requests of any method
// to any source name, path tricks included. For every case:
//   - never a 5xx (503 `internal_error` is for D1 being down, never for input);
//   - every non-2xx is application/problem+json with a stable `code` (src/errors.ts);
//   - nothing the sender chose is echoed: every value and key carries a marker, searched for in the
//     answer (and, after the file, in every log line and alert: faults-helpers.ts `Redaction`);
//   - a refused request stores nothing and queues nothing; a correctly signed valid lead is 202,
//     stored with its bytes, and queued once.
// Where the answer follows from the bytes alone (size, media type, UTF-8, JSON, the limits), the
// test predicts it and checks the code. Fixed seed and run counts: the same cases on every run.
//
// Requests a source's verifier sees are handed to the Worker's fetch handler with a recording
// delivery queue (so "nothing queued" is checked, not inferred) and this file's alerts kept out of
// the shared fake Slack; requests no verifier sees, and some correctly signed leads, go through
// the Worker's real entry point (exports.default.fetch) and bindings.
import { env, exports } from 'cloudflare:workers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../src/config';
import type { ProblemCode } from '../../src/errors';
import worker from '../../src/index';
import { DEFAULT_FLAT_FIELD_MAP } from '../../src/leads/mappings/flat';
import { carriedEvent, type DeliveryMessage } from '../../src/pipeline/enqueue';
import { MAX_DEPTH, MAX_VALUES } from '../../src/pipeline/parse';
import { TEST_DEMO_OLD_SECRET, TEST_DEMO_SECRET } from '../secrets';
import { alertSink, captureConsole, executionContext, Redaction } from './faults-helpers';
import { BASE, recordingQueue, signDemo } from './helpers';

const SEED = 20_260_611;
/** Cases per property: thousands in all, within about half a minute on two cores. */
const RUNS = { mutations: 1500, limits: 150, signatures: 700, bodies: 600, edge: 1500 } as const;
type Property = keyof typeof RUNS;
const TOTAL = Object.values(RUNS).reduce((sum, n) => sum + n, 0);
const ran: Record<Property, number> = { mutations: 0, limits: 0, signatures: 0, bodies: 0, edge: 0 };
/** Answers seen, as `status code`: the summary checks the generators reach every outcome. */
const seen = new Map<string, number>();

/** The stable codes: a compile error here when src/errors.ts gains or loses one. */
const STABLE_CODES: Record<ProblemCode, true> = {
  unknown_source: true,
  invalid_signature: true,
  handshake_rejected: true,
  malformed_body: true,
  incomplete_body: true,
  unsupported_media_type: true,
  invalid_payload: true,
  payload_too_complex: true,
  payload_too_large: true,
  method_not_allowed: true,
  not_found: true,
  unauthorized: true,
  forbidden: true,
  invalid_request: true,
  conflict: true,
  too_many_requests: true,
  internal_error: true,
};

const MAX_BODY_BYTES = Number(env.MAX_BODY_BYTES);
const encoder = new TextEncoder();
const utf8 = (text: string) => encoder.encode(text);

// ---- What is said, for the redaction check ----------------------------------------------------

const redaction = new Redaction();
/** Values the sender chose carry one of these: any in an answer, a log line or an alert is an echo. */
const MARKERS = /zqx[a-z0-9]{9}|Ω[α-ω]{8}/u;
redaction.shape(MARKERS);
const signatures = redaction.family(/[A-Za-z0-9+/]{43}=/);
const answers: string[] = [];
let output: ReturnType<typeof captureConsole>;
/** This file's alerts stay out of the fake Slack other files count messages in (faults-helpers.ts). */
const alerts = alertSink();

const PHONES = ['+1 415 555 0101', '+14155550102', '(415) 555-0103', '+1-415-555-0104', '415.555.0105'];
for (const phone of PHONES) redaction.addPhone(phone);

beforeAll(() => {
  output = captureConsole();
});

const verificationAlerts = async () =>
  (await env.DB.prepare(
    `SELECT count(*) AS n FROM alert_outbox o JOIN alert_groups g ON g.id = o.group_id
     WHERE g.kind = 'verification_burst'`,
  ).first<{ n: number }>())!.n;

afterAll(async () => {
  // Verification failures are counted per isolate and flushed every few seconds: once a burst's
  // alert is in the outbox, have this file's alerts posted, to be searched too.
  const deadline = Date.now() + 6_000;
  while (!(await verificationAlerts()) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  const posted = await alerts.flush(Date.now() + 3_600_000);
  output.restore();
  expect(posted.some((message) => message.includes('Verification failures on'))).toBe(true);
  expect(output.lines.length).toBeGreaterThan(TOTAL);
  expect(redaction.scan([...output.lines, ...answers, ...posted])).toEqual([]);
}, 30_000);

// ---- Signing, as `demo` signs (Standard Webhooks), over bytes that need not be UTF-8 -----------

const keys = new Map<string, Promise<CryptoKey>>();
const keyOf = (secret: string) => {
  let key = keys.get(secret);
  if (!key) {
    const raw = Uint8Array.from(atob(secret.replace(/^whsec_/, '')), (c) => c.charCodeAt(0));
    key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keys.set(secret, key);
  }
  return key;
};

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, in WebCrypto, so a body may be any bytes. */
async function signBytes(body: Uint8Array, id: string, atSeconds: number, secret = TEST_DEMO_SECRET) {
  const prefix = utf8(`${id}.${atSeconds}.`);
  const content = new Uint8Array(prefix.length + body.length);
  content.set(prefix);
  content.set(body, prefix.length);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await keyOf(secret), content));
  const signature = btoa(String.fromCharCode(...mac));
  signatures.add(signature);
  return `v1,${signature}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * A webhook-id no other case has: fast-check likes to repeat its favourite strings (`prototype`,
 * `arguments`), and a repeated id would be a redelivery, answered 200.
 */
let sequence = 0;
const deliveryId = (mark: string) => `msg_${mark}_${++sequence}`;

async function signedHeaders(body: Uint8Array, id: string, contentType: string | undefined) {
  const at = nowSeconds();
  const headers = new Headers({
    'webhook-id': id,
    'webhook-timestamp': String(at),
    'webhook-signature': await signBytes(body, id, at),
  });
  if (contentType !== undefined) headers.set('content-type', contentType);
  return headers;
}

// ---- Generators ------------------------------------------------------------------------------

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const GREEK = 'αβγδεζηθικλμνξοπρστυφχψω';
const marker = fc
  .string({ unit: fc.constantFrom(...ALNUM), minLength: 9, maxLength: 9 })
  .map((s) => `zqx${s}`);
/** Letters a loose key match ignores (src/leads/mappings/fields.ts `fieldKey`), so they can ride along. */
const greekMarker = fc
  .string({ unit: fc.constantFrom(...GREEK), minLength: 8, maxLength: 8 })
  .map((s) => `Ω${s}`);

type Lead = Record<string, unknown>;

/** A valid flat lead: every value the sender chose carries a marker. */
const leadArb: fc.Arbitrary<Lead> = fc
  .record({
    email: marker.map((m) => `${m}@example.com`),
    first_name: marker,
    last_name: fc.oneof(
      marker,
      fc.tuple(marker, fc.string({ unit: 'grapheme', maxLength: 6 })).map(([m, g]) => `${m} ${g}`),
    ),
    company: marker,
    phone: fc.option(fc.constantFrom(...PHONES), { nil: undefined }),
    utm_campaign: fc.option(marker, { nil: undefined }),
    extra: fc.dictionary(marker, fc.oneof(marker, fc.integer(), fc.boolean(), fc.constant(null)), {
      maxKeys: 3,
    }),
  })
  .map(({ extra, phone, utm_campaign, ...lead }) => ({
    ...lead,
    ...(phone === undefined ? {} : { phone }),
    ...(utm_campaign === undefined ? {} : { utm_campaign }),
    ...extra,
  }));

/** Lead fields a generated lead never sets, each with the payload keys the flat map reads for it. */
const UNSET_FIELDS = Object.entries(DEFAULT_FLAT_FIELD_MAP)
  .filter(
    ([field]) => !['email', 'phone', 'first_name', 'last_name', 'company', 'utm_campaign'].includes(field),
  )
  .flatMap(([, keys]) => keys as readonly string[]);

/** A mapped key as a sender might spell it (`Job Title`, `JOB-TITLE`, `jobTitle`), with a marker in it. */
function looseKey(key: string, style: number, greek: string): string {
  const words = key.split('_');
  const spelled = [
    words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' '),
    words.join('-').toUpperCase(),
    words[0] +
      words
        .slice(1)
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join(''),
  ][style % 3]!;
  return [`${spelled} ${greek}`, `${greek}: ${spelled}`, `${spelled} (${greek})`][Math.floor(style / 3) % 3]!;
}

type Shape =
  | { kind: 'plain' }
  | { kind: 'unicode'; text: string }
  | { kind: 'nul'; inKey: boolean }
  | { kind: 'loose-key'; key: string; style: number; greek: string; holds: 'object' | 'array' | 'text' }
  | { kind: 'wrong-type'; field: 'email' | 'first_name'; value: unknown }
  | { kind: 'not-object'; value: unknown };

const shapeArb: fc.Arbitrary<Shape> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'plain' as const }) },
  fc.record({
    kind: fc.constant('unicode' as const),
    text: fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom(
        '\ud800',
        '\udfff',
        'a\u0301\u0301',
        '\u202e\u2066',
        '\ufeff',
        '\u{1f468}\u200d\u{1f469}',
      ),
    ),
  }),
  fc.record({ kind: fc.constant('nul' as const), inKey: fc.boolean() }),
  fc.record({
    kind: fc.constant('loose-key' as const),
    key: fc.constantFrom(...UNSET_FIELDS),
    style: fc.nat({ max: 8 }),
    greek: greekMarker,
    holds: fc.constantFrom('object' as const, 'array' as const, 'text' as const),
  }),
  fc.record({
    kind: fc.constant('wrong-type' as const),
    field: fc.constantFrom('email' as const, 'first_name' as const),
    value: fc.oneof(
      marker.map((m) => [m]),
      marker.map((m) => ({ value: m })),
    ),
  }),
  fc.record({
    kind: fc.constant('not-object' as const),
    value: fc.oneof(marker, fc.integer(), fc.constant(null), fc.array(marker, { maxLength: 3 })),
  }),
);

/** The payload a shape makes of a lead, and whether that payload is a lead the source takes. */
function shaped(lead: Lead, shape: Shape): { payload: unknown; valid: boolean } {
  switch (shape.kind) {
    case 'plain':
      return { payload: lead, valid: true };
    case 'unicode':
      return { payload: { ...lead, first_name: `${lead.first_name} ${shape.text}` }, valid: true };
    case 'nul':
      return {
        payload: shape.inKey
          ? { ...lead, [`${lead.company}\u0000key`]: 'x' }
          : { ...lead, last_name: `${lead.last_name}\u0000` },
        valid: true,
      };
    case 'loose-key': {
      const value = { object: { inner: shape.greek }, array: [shape.greek], text: 'plain text' }[shape.holds];
      // A mapped field that holds an object or a list is refused, at that field's path.
      return {
        payload: { ...lead, [looseKey(shape.key, shape.style, shape.greek)]: value },
        valid: shape.holds === 'text',
      };
    }
    case 'wrong-type':
      return { payload: { ...lead, [shape.field]: shape.value }, valid: false };
    case 'not-object':
      return { payload: shape.value, valid: false };
  }
}

type ByteMutation =
  | { kind: 'none' }
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'insert'; at: number; bytes: number[] };

/** `at` is per mille of the body's length, so a mutation lands anywhere whatever the body's size. */
const byteMutationArb: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat({ max: 999 }) }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat({ max: 999 }),
    xor: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat({ max: 1000 }),
    // NUL, bytes UTF-8 never uses, an overlong NUL, a UTF-16 surrogate, a BOM, and JSON's own syntax.
    bytes: fc
      .constantFrom(
        [0x00],
        [0xff],
        [0xc0, 0x80],
        [0xed, 0xa0, 0x80],
        [0xef, 0xbb, 0xbf],
        [0x22],
        [0x5c],
        [0x7b],
        [0x5d],
        [0x2c],
      )
      .map((bytes) => [...bytes]),
  }),
);

function mutate(bytes: Uint8Array, mutation: ByteMutation): Uint8Array {
  if (mutation.kind === 'none' || bytes.length === 0) return bytes;
  const at = Math.min(bytes.length, Math.floor((mutation.at * bytes.length) / 1000));
  if (mutation.kind === 'truncate') return bytes.slice(0, at);
  if (mutation.kind === 'flip') {
    const out = bytes.slice();
    const i = Math.min(at, bytes.length - 1);
    out[i] = out[i]! ^ mutation.xor;
    return out;
  }
  const out = new Uint8Array(bytes.length + mutation.bytes.length);
  out.set(bytes.subarray(0, at));
  out.set(mutation.bytes, at);
  out.set(bytes.subarray(at), at + mutation.bytes.length);
  return out;
}

/** Content types a JSON body may come with: each is read as JSON (src/pipeline/parse.ts). */
const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'text/plain',
  'application/vnd.inlet.lead+json',
  undefined,
];

const CONTENT_TYPES = [
  ...JSON_TYPES.filter((t): t is string => t !== undefined),
  '',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'multipart/form-data',
  'multipart/form-data; boundary=zzzz',
  'multipart/form-data; boundary=',
  'multipart/mixed; boundary=x',
  'application/xml',
  'text/html',
  'application/octet-stream',
  'image/png',
  'application/jsonx',
  'json',
  ';',
  ';;charset=utf-8',
  '*/*',
  'application/json+x',
];

// ---- What the answer must be, predicted from the bytes -----------------------------------------

interface Outcome {
  status: number;
  code?: ProblemCode;
}

const ACCEPTED: Outcome = { status: 202 };
const INVALID: Outcome = { status: 422, code: 'invalid_payload' };
const MALFORMED: Outcome = { status: 400, code: 'malformed_body' };
const TOO_COMPLEX: Outcome = { status: 422, code: 'payload_too_complex' };
const TOO_LARGE: Outcome = { status: 413, code: 'payload_too_large' };
const BAD_SIGNATURE: Outcome = { status: 401, code: 'invalid_signature' };

/** How the edge reads a content type, as docs/configuration.md states it. */
function mediaOf(contentType: string): 'json' | 'form' | 'multipart' | undefined {
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (['', 'application/json', 'text/plain'].includes(type) || type.endsWith('+json')) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'multipart/form-data') return 'multipart';
  return undefined;
}

/** Deepest level (the payload itself is 1) and count of values, containers included. */
function complexity(payload: unknown): { depth: number; values: number } {
  let depth = 0;
  let values = 0;
  const stack: [unknown, number][] = [[payload, 1]];
  while (stack.length) {
    const [node, level] = stack.pop()!;
    values++;
    depth = Math.max(depth, level);
    if (node !== null && typeof node === 'object')
      for (const child of Object.values(node)) stack.push([child, level + 1]);
  }
  return { depth, values };
}

const tooComplex = (payload: unknown) => {
  const { depth, values } = complexity(payload);
  return depth > MAX_DEPTH || values > MAX_VALUES;
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The answers a signed request with these bytes may get: one when the bytes decide it. */
function predict(body: Uint8Array, contentType: string): Outcome[] {
  if (body.length > MAX_BODY_BYTES) return [TOO_LARGE];
  const media = mediaOf(contentType);
  if (!media) return [{ status: 415, code: 'unsupported_media_type' }];
  if (media === 'multipart') return [ACCEPTED, INVALID, MALFORMED, TOO_COMPLEX];
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    return [MALFORMED];
  }
  if (media === 'form') {
    const form: Record<string, string[]> = {};
    for (const [key, value] of new URLSearchParams(text)) form[key] = [...(form[key] ?? []), value];
    const collected = Object.fromEntries(
      Object.entries(form).map(([key, list]) => [key, list.length === 1 ? list[0] : list]),
    );
    return tooComplex(collected) ? [TOO_COMPLEX] : [ACCEPTED, INVALID];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [MALFORMED];
  }
  return tooComplex(parsed) ? [TOO_COMPLEX] : [ACCEPTED, INVALID];
}

// ---- Posting and the invariants ----------------------------------------------------------------

const countEvents = async () =>
  (await env.DB.prepare('SELECT count(*) AS n FROM events').first<{ n: number }>())!.n;
let stored = 0;

interface Answered {
  status: number;
  contentType: string | null;
  text: string;
  /** What the handler queued: known when it was called directly with a recording queue. */
  sent: DeliveryMessage[] | undefined;
}

/** Straight into the Worker's fetch handler, the delivery queue swapped for a recording one. */
async function postDirect(request: Request): Promise<Answered> {
  const queue = recordingQueue();
  const bindings = { ...env, ...alerts.bindings, DELIVERIES: queue.queue };
  const response = await worker.fetch(request, bindings, executionContext());
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
    sent: queue.sent.map((m) => m.body as DeliveryMessage),
  };
}

/**
 * Through the Worker's real entry point and bindings, as a sender's request arrives. Only for
 * requests that fail no verification: a failure raises its alert with the real bindings, into the
 * fake Slack every file shares.
 */
async function postEdge(request: Request): Promise<Answered> {
  const response = await exports.default.fetch(request);
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text: await response.text(),
    sent: undefined,
  };
}

/** Byte for byte, without a deep-equality walk over a megabyte. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const outcomeOf = (answered: Answered): Outcome => {
  if (answered.status < 300) return { status: answered.status };
  const problem = JSON.parse(answered.text) as { code: ProblemCode };
  return { status: answered.status, code: problem.code };
};

/**
 * The invariants of every case. `body` is what was sent, to check a stored event holds exactly it;
 * `allowed`, when the test can predict the answer.
 */
async function holds(
  answered: Answered,
  options: { method?: string; body?: Uint8Array; allowed?: readonly Outcome[]; notEchoed?: string } = {},
) {
  answers.push(answered.text);
  expect(answered.status).toBeLessThan(500);
  expect(answered.text).not.toMatch(MARKERS);
  if (options.notEchoed) expect(answered.text).not.toContain(options.notEchoed);
  const now = await countEvents();
  if (answered.status === 202) {
    const { id } = JSON.parse(answered.text) as { id: string };
    expect(now).toBe(stored + 1);
    const row = await env.DB.prepare('SELECT status, body FROM events WHERE id = ?1')
      .bind(id)
      .first<{ status: string; body: ArrayBuffer }>();
    expect(row).not.toBeNull();
    // Called directly, the message is in the recording queue and the event waits for it; through
    // the entry point, the real consumer may have taken it already.
    if (answered.sent) {
      // One message, carrying the event as it is stored (ACCEPT_MODE concurrent).
      expect(answered.sent.map((m) => m.eventId)).toEqual([id]);
      const carried = carriedEvent(answered.sent[0]!);
      if (carried) expect(sameBytes(carried.body, new Uint8Array(row!.body))).toBe(true);
      expect(row?.status).toBe('queued');
    }
    if (options.body) expect(sameBytes(new Uint8Array(row!.body), options.body)).toBe(true);
  } else {
    // Refused, or a handshake answered: nothing kept, nothing queued.
    expect(now).toBe(stored);
    if (answered.sent) expect(answered.sent).toEqual([]);
  }
  stored = now;
  if (answered.status >= 300) {
    expect(answered.contentType).toBe('application/problem+json');
    if (options.method !== 'HEAD') {
      const problem = JSON.parse(answered.text) as { code: string; status: number };
      expect(Object.hasOwn(STABLE_CODES, problem.code), problem.code).toBe(true);
      expect(problem.status).toBe(answered.status);
    }
  }
  const outcome = options.method === 'HEAD' ? { status: answered.status } : outcomeOf(answered);
  const key = `${outcome.status}${outcome.code ? ` ${outcome.code}` : ''}`;
  seen.set(key, (seen.get(key) ?? 0) + 1);
  if (options.allowed) expect(options.allowed).toContainEqual(outcome);
}

/** A path segment as the router hands it over: percent-decoded when it decodes. */
function decodedName(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const runs = (property: Property) => ({ seed: SEED, numRuns: RUNS[property], endOnFailure: true });

const demoRequest = (body: Uint8Array, headers: Headers) =>
  new Request(`${BASE}/in/demo`, { method: 'POST', headers, body });

// ---- The properties ------------------------------------------------------------------------------

describe('the edge, fuzzed', () => {
  beforeAll(async () => {
    stored = await countEvents();
    // The WebCrypto signer here signs as the standardwebhooks library does (helpers `signDemo`).
    const body = '{"email":"x@example.com"}';
    const reference = signDemo(body, { id: 'msg_check', atSeconds: 1_700_000_000 });
    const mine = await signBytes(utf8(body), 'msg_check', 1_700_000_000);
    expect(mine).toBe(reference['webhook-signature']);
  });

  it(`signed mutations of a valid lead: ${RUNS.mutations} cases`, async () => {
    const caseArb = fc.record({
      lead: leadArb,
      shape: shapeArb,
      mutation: byteMutationArb,
      contentType: fc.constantFrom(...JSON_TYPES),
      id: marker,
    });
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ lead, shape, mutation, contentType, id }) => {
        ran.mutations++;
        const { payload, valid } = shaped(lead, shape);
        const body = mutate(utf8(JSON.stringify(payload)), mutation);
        const request = demoRequest(body, await signedHeaders(body, deliveryId(id), contentType));
        const predicted = predict(body, contentType ?? '');
        // Unmutated, the shape decides: a valid lead is accepted, anything else refused as invalid.
        const allowed = mutation.kind === 'none' ? [valid ? ACCEPTED : INVALID] : predicted;
        await holds(await postDirect(request), { body, allowed });
      }),
      runs('mutations'),
    );
  }, 120_000);

  it(`nesting, value counts and body sizes around the limits: ${RUNS.limits} cases`, async () => {
    const caseArb = fc.oneof(
      fc.record({
        kind: fc.constant('deep' as const),
        lead: leadArb,
        levels: fc.integer({ min: MAX_DEPTH - 6, max: MAX_DEPTH + 4 }),
        arrays: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('wide' as const),
        lead: leadArb,
        delta: fc.integer({ min: -3, max: 3 }),
      }),
      fc.record({
        kind: fc.constant('wide-form' as const),
        lead: leadArb,
        delta: fc.integer({ min: -3, max: 3 }),
      }),
      fc.record({
        kind: fc.constant('huge-key' as const),
        lead: leadArb,
        // Anywhere from 1 KB to 100 KB, or within a few bytes of MAX_BODY_BYTES either side (fewer:
        // each costs a megabyte signed, parsed, matched and stored).
        size: fc.oneof(
          { weight: 5, arbitrary: fc.integer({ min: 1_000, max: 100_000 }) },
          { weight: 1, arbitrary: fc.integer({ min: MAX_BODY_BYTES - 3, max: MAX_BODY_BYTES + 3 }) },
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        ran.limits++;
        let body: Uint8Array;
        let contentType = 'application/json';
        let expected: Outcome;
        if (c.kind === 'deep') {
          // `levels` containers under one key: the deepest value is at level levels + 2.
          let nest: unknown = c.lead.first_name;
          for (let i = 0; i < c.levels; i++) nest = c.arrays ? [nest] : { [`l${i}`]: nest };
          body = utf8(JSON.stringify({ ...c.lead, nest }));
          expected = c.levels + 2 > MAX_DEPTH ? TOO_COMPLEX : ACCEPTED;
        } else if (c.kind === 'wide') {
          // The payload, its fields, the list and its items: MAX_VALUES + delta values in all.
          const n = MAX_VALUES - (2 + Object.keys(c.lead).length) + c.delta;
          body = utf8(JSON.stringify({ ...c.lead, many: Array.from({ length: n }, (_, i) => i % 10) }));
          expected = c.delta > 0 ? TOO_COMPLEX : ACCEPTED;
        } else if (c.kind === 'wide-form') {
          const form = new URLSearchParams(Object.entries(c.lead).map(([k, v]) => [k, String(v)]));
          const n = MAX_VALUES - (1 + Object.keys(c.lead).length) + c.delta;
          for (let i = 0; i < n; i++) form.append(`f${i}`, '1');
          body = utf8(form.toString());
          contentType = 'application/x-www-form-urlencoded';
          expected = c.delta > 0 ? TOO_COMPLEX : ACCEPTED;
        } else {
          const base = utf8(JSON.stringify({ ...c.lead, '': 1 })).length;
          const id = String(c.lead.company);
          const key = id.repeat(Math.ceil((c.size - base) / id.length)).slice(0, Math.max(0, c.size - base));
          body = utf8(JSON.stringify({ ...c.lead, [key]: 1 }));
          expected = body.length > MAX_BODY_BYTES ? TOO_LARGE : ACCEPTED;
        }
        expect(predict(body, contentType)).toContainEqual(expected);
        const request = demoRequest(
          body,
          await signedHeaders(body, deliveryId(String(c.lead.company)), contentType),
        );
        await holds(await postDirect(request), { body, allowed: [expected] });
      }),
      runs('limits'),
    );
  }, 120_000);

  it(`signatures present, absent, forged and repeated: ${RUNS.signatures} cases`, async () => {
    const VARIANTS = {
      valid: true,
      'old-secret': true,
      'skew-within-tolerance': true,
      'upper-case-names': true,
      'repeated-right-last': true,
      'repeated-right-first': true,
      'several-one-right': true,
      'wrong-secret': false,
      'no-signature': false,
      'no-id': false,
      'no-timestamp': false,
      garbage: false,
      'other-body': false,
      'other-id': false,
      stale: false,
      future: false,
      'timestamp-not-a-number': false,
      'v2-scheme': false,
      truncated: false,
      'repeated-wrong': false,
      'repeated-id': false,
      'repeated-timestamp': false,
    } as const;
    type Variant = keyof typeof VARIANTS;
    const caseArb = fc.record({
      lead: leadArb,
      variant: fc.constantFrom(...(Object.keys(VARIANTS) as Variant[])),
      skew: fc.integer({ min: 305, max: 50_000_000 }),
      within: fc.integer({ min: -290, max: 290 }),
      garbage: fc.string({ unit: 'grapheme-ascii', maxLength: 120 }),
      id: marker,
    });
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        ran.signatures++;
        const body = utf8(JSON.stringify(c.lead));
        const id = deliveryId(c.id);
        const now = nowSeconds();
        const at =
          c.variant === 'stale'
            ? now - c.skew
            : c.variant === 'future'
              ? now + c.skew
              : c.variant === 'skew-within-tolerance'
                ? now + c.within
                : now;
        const right = await signBytes(body, id, at);
        const wrong = await signBytes(body, id, at, 'whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==');
        const headers = new Headers({ 'content-type': 'application/json' });
        const set = (name: string, value: string) =>
          headers.set(c.variant === 'upper-case-names' ? name.toUpperCase() : name, value);
        set('webhook-id', id);
        set('webhook-timestamp', String(at));
        set('webhook-signature', right);
        switch (c.variant) {
          case 'old-secret':
            set('webhook-signature', await signBytes(body, id, at, TEST_DEMO_OLD_SECRET));
            break;
          case 'wrong-secret':
            set('webhook-signature', wrong);
            break;
          case 'no-signature':
            headers.delete('webhook-signature');
            break;
          case 'no-id':
            headers.delete('webhook-id');
            break;
          case 'no-timestamp':
            headers.delete('webhook-timestamp');
            break;
          case 'garbage':
            set('webhook-signature', `${c.garbage}${c.id}`);
            break;
          case 'other-body':
            set('webhook-signature', await signBytes(utf8(`${JSON.stringify(c.lead)} `), id, at));
            break;
          case 'other-id':
            set('webhook-signature', await signBytes(body, `${id}x`, at));
            break;
          case 'timestamp-not-a-number':
            set('webhook-timestamp', `${at}.0`);
            break;
          case 'v2-scheme':
            set('webhook-signature', right.replace(/^v1,/, 'v2,'));
            break;
          case 'truncated':
            set('webhook-signature', right.slice(0, -4));
            break;
          case 'repeated-right-last':
            set('webhook-signature', wrong);
            headers.append('webhook-signature', right);
            break;
          case 'repeated-right-first':
            headers.append('webhook-signature', wrong);
            break;
          case 'several-one-right':
            set('webhook-signature', `${wrong} v1,${c.id} ${right}`);
            break;
          case 'repeated-wrong':
            set('webhook-signature', wrong);
            headers.append('webhook-signature', wrong);
            break;
          case 'repeated-id':
            headers.append('webhook-id', id);
            break;
          case 'repeated-timestamp':
            headers.append('webhook-timestamp', String(at));
            break;
        }
        const allowed = [VARIANTS[c.variant] ? ACCEPTED : BAD_SIGNATURE];
        await holds(await postDirect(demoRequest(body, headers)), { body, allowed });
      }),
      runs('signatures'),
    );
  }, 120_000);

  it(`any content type with any body: ${RUNS.bodies} cases`, async () => {
    const bodyArb = fc.oneof(
      fc.uint8Array({ maxLength: 1500 }).map((bytes) => ({ kind: 'bytes' as const, bytes })),
      fc
        .string({ unit: 'binary', maxLength: 300 })
        .map((text) => ({ kind: 'bytes' as const, bytes: utf8(text) })),
      fc
        .jsonValue({ maxDepth: 6 })
        .map((value) => ({ kind: 'bytes' as const, bytes: utf8(JSON.stringify(value)) })),
      leadArb.map((lead) => ({ kind: 'json-lead' as const, lead })),
      leadArb.map((lead) => ({ kind: 'form-lead' as const, lead })),
      leadArb.map((lead) => ({ kind: 'multipart-lead' as const, lead })),
    );
    const caseArb = fc.record({
      body: bodyArb,
      contentType: fc.oneof(
        fc.constantFrom(...CONTENT_TYPES),
        fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
      ),
      id: marker,
    });
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        ran.bodies++;
        let body: Uint8Array;
        let contentType = c.contentType;
        let exact: Outcome | undefined;
        if (c.body.kind === 'bytes') body = c.body.bytes;
        else if (c.body.kind === 'json-lead') body = utf8(JSON.stringify(c.body.lead));
        else if (c.body.kind === 'form-lead') {
          body = utf8(
            new URLSearchParams(Object.entries(c.body.lead).map(([k, v]) => [k, String(v)])).toString(),
          );
          contentType = 'application/x-www-form-urlencoded';
          exact = ACCEPTED;
        } else {
          // A real multipart body, with the boundary the platform chose for it.
          const form = new FormData();
          for (const [key, value] of Object.entries(c.body.lead)) form.append(key, String(value));
          form.append('attachment', new Blob([c.body.lead.company as string]), 'notes.txt');
          const encoded = new Request(BASE, { method: 'POST', body: form });
          body = new Uint8Array(await encoded.arrayBuffer());
          contentType = encoded.headers.get('content-type')!;
          exact = ACCEPTED;
        }
        const headers = await signedHeaders(body, deliveryId(c.id), contentType);
        const request = demoRequest(body, headers);
        // What reaches the Worker, after Headers trimmed it.
        const allowed = exact ? [exact] : predict(body, request.headers.get('content-type') ?? '');
        await holds(await postDirect(request), { body, allowed });
      }),
      runs('bodies'),
    );
    // A few seconds alone; far more on a machine busy with other work (seen once: 4 minutes).
  }, 360_000);

  it(`any method to any source name, with any headers and query: ${RUNS.edge} cases`, async () => {
    const sources = Object.keys(config.sources);
    const unknownName = fc
      .string({ unit: fc.constantFrom(...ALNUM), minLength: 9, maxLength: 9 })
      .map((s) => `zqs${s}`);
    const segment = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...sources) },
      fc.constantFrom(...sources).map((s) => s.toUpperCase()),
      // Percent-encoded letter by letter: decodes to a known name.
      fc
        .constantFrom(...sources)
        .map((s) => [...s].map((ch) => `%${ch.charCodeAt(0).toString(16)}`).join('')),
      { weight: 2, arbitrary: unknownName },
      fc.constantFrom(
        '..%2fadmin',
        '..%2F..%2Fadmin%2Fevents',
        '%2e%2e%2fadmin',
        'demo%2f..%2fadmin',
        '..%5cadmin',
        'demo%00',
        '%00',
        'demo%20',
        'demo;x=1',
        'demo.json',
        'demo%2F',
        '__proto__',
        'constructor',
        'hasOwnProperty',
        '%ff%fe',
        '%',
        '%zz',
        '.',
        '..',
        '%2e',
        'demo/extra',
        '',
      ),
      fc.integer({ min: 64, max: 16_000 }).map((n) => 'a'.repeat(n)),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map(encodeURIComponent),
    );
    const headerValue = fc.oneof(marker, fc.string({ unit: 'grapheme-ascii', maxLength: 60 }));
    const junkArb = fc.record({
      kind: fc.constant('junk' as const),
      segment,
      method: fc.constantFrom(
        'POST',
        'POST',
        'POST',
        'post',
        'GET',
        'HEAD',
        'PUT',
        'PATCH',
        'DELETE',
        'OPTIONS',
        'PROPFIND',
      ),
      query: fc.option(
        fc.oneof(
          marker.map((m) => `token=${m}`),
          fc
            .tuple(marker, marker)
            .map(([t, ch]) => `hub.mode=subscribe&hub.verify_token=${t}&hub.challenge=${ch}`),
          fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map(encodeURIComponent),
        ),
        { nil: undefined },
      ),
      body: fc.option(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          leadArb.map((lead) => utf8(JSON.stringify(lead))),
          leadArb.map((lead) =>
            utf8(new URLSearchParams(Object.entries(lead).map(([k, v]) => [k, String(v)])).toString()),
          ),
        ),
        { nil: undefined },
      ),
      contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined }),
      signature: fc.option(
        fc.oneof(
          headerValue,
          fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `v1,${btoa(String.fromCharCode(...b))}`),
        ),
        { nil: undefined },
      ),
      repeated: fc.boolean(),
      extra: fc.dictionary(
        fc
          .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz-'), minLength: 1, maxLength: 16 })
          .map((s) => `x-${s}`),
        headerValue,
        { maxKeys: 3 },
      ),
    });
    const validArb = fc.record({ kind: fc.constant('valid' as const), lead: leadArb, id: marker });
    const caseArb = fc.oneof({ weight: 30, arbitrary: junkArb }, { weight: 1, arbitrary: validArb });
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        ran.edge++;
        if (c.kind === 'valid') {
          const body = utf8(JSON.stringify(c.lead));
          const answered = await postEdge(
            demoRequest(body, await signedHeaders(body, deliveryId(c.id), 'application/json')),
          );
          await holds(answered, { body, allowed: [ACCEPTED] });
          return;
        }
        const headers = new Headers(c.extra);
        if (c.contentType !== undefined) headers.set('content-type', c.contentType);
        if (c.signature !== undefined) {
          for (const name of [
            'webhook-signature',
            'x-hub-signature-256',
            'stripe-signature',
            'authorization',
          ])
            headers.set(name, c.signature);
          headers.set('webhook-id', `msg_${c.signature.length}`);
          headers.set('webhook-timestamp', String(nowSeconds()));
          if (c.repeated) headers.append('webhook-signature', c.signature);
        }
        const bodyless = c.method === 'GET' || c.method === 'HEAD';
        const url = `${BASE}/in/${c.segment}${c.query === undefined ? '' : `?${c.query}`}`;
        const request = new Request(url, {
          method: c.method,
          headers,
          ...(bodyless || c.body === undefined ? {} : { body: c.body }),
        });
        // What a source's verifier sees goes to the handler (its failures raise alerts: alertSink);
        // the rest, unknown names, path tricks and other methods, through the real entry point.
        const segment = new URL(request.url).pathname.match(/^\/in\/([^/]*)$/)?.[1];
        const name = segment === undefined ? undefined : decodedName(segment);
        const verified = request.method === 'POST' && name !== undefined && sources.includes(name);
        const answered = await (verified ? postDirect(request) : postEdge(request));
        // Nothing here is signed with a source's secret: nothing may be accepted.
        expect(answered.status).not.toBe(202);
        await holds(answered, {
          method: request.method,
          ...(c.segment.startsWith('zqs') ? { notEchoed: c.segment } : {}),
        });
      }),
      runs('edge'),
    );
  }, 120_000);

  it('a mapped key spelled loosely is named as the source reads it, never as the sender wrote it', async () => {
    // Found by the mutations property: the sender's spelling carried whatever else it wrote in the key.
    const lead = { email: 'zqxloosekey01@example.com', 'Job Title (Ωαβγδεζηθ)': { title: 'zqxloosekey02' } };
    const body = utf8(JSON.stringify(lead));
    const answered = await postDirect(
      demoRequest(body, await signedHeaders(body, deliveryId('loose'), undefined)),
    );
    await holds(answered, { body, allowed: [INVALID] });
    const problem = JSON.parse(answered.text) as { issues: { path: string }[] };
    expect(problem.issues.map((issue) => issue.path)).toEqual(['job_title']);
  });

  it(`in all: ${TOTAL} cases, seed ${SEED} (${Object.entries(RUNS)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ')})`, () => {
    // The counts in the test names are the cases that ran, and they reached every answer the edge
    // gives a sender (a generator that stopped producing one would make its property vacuous).
    expect(ran).toEqual(RUNS);
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining([
        '202',
        '400 malformed_body',
        '401 invalid_signature',
        '404 unknown_source',
        '404 not_found',
        '405 method_not_allowed',
        '413 payload_too_large',
        '415 unsupported_media_type',
        '422 invalid_payload',
        '422 payload_too_complex',
      ]),
    );
    console.log(`fuzz: ${TOTAL} cases, seed ${SEED}: ${JSON.stringify(ran)} ${JSON.stringify([...seen])}`);
  });
});
