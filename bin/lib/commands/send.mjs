/**
 * `inlet send <source> [payload.json]`: signs a payload as the source's provider signs it and posts
 * it to `POST /in/<source>`, then follows the event through the admin API until it is final, on
 * one line. Without a payload file the source type's sample is sent (bin/lib/samples.mjs).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { integer, parse } from '../args.mjs';
import { describeEvent, FINAL_EVENT_STATUSES } from '../describe.mjs';
import { CliError, EXIT, usageError } from '../errors.mjs';
import { adminClient, gatewayUrl, isLocal, problemError, reach, readAnswer, secret } from '../gateway.mjs';
import { paint, print, printJson, StatusLine } from '../output.mjs';
import { rootPath } from '../root.mjs';
import { SAMPLES } from '../samples.mjs';
import { SCHEMES, SIGNERS } from '../signers.mjs';

export const summary = 'sign a sample or your own payload and post it to /in/<source>';

export const usage = `usage: inlet send <source|all> [payload.json|-] [options]

Signs a payload with the source's scheme (the secret SOURCE_<NAME>_SECRET, or the source's
secretVar) and posts it to POST /in/<source>, then follows the event until it is final.
Without a payload file, a realistic sample of the source's provider is sent (fresh ids, so
each is a new event). \`all\` sends one sample per source of inlet.config.ts, a line each.

options:
  --url URL          the gateway (default $INLET_URL, else http://127.0.0.1:8787)
  --email E          the sample lead's email (default <source>.<time>@example.com)
  -H, --header 'N: V'  an extra header, e.g. -H 'x-github-event: push' (repeatable)
  --graph URL        the fake Graph API Meta samples are registered in (default $INLET_GRAPH_URL,
                     else http://127.0.0.1:8789, which \`npm run dev\` starts)
  --no-wait          print the answer and stop, without following the event
  --timeout S        seconds to follow the event (default 30)
  --json             print the answer and the final event as JSON

Secrets come from the environment (SOURCE_TYPEFORM_SECRET=... for staging), else from .dev.vars
when the gateway is local. A payload file is sent byte for byte (JSON; for form sources such as
twilio and mailchimp, a JSON object of fields or a form-encoded file). \`-\` reads stdin.

exit: 0 the event ended as expected (delivered; invalid or unrouted where the sample says so),
1 it did not, 2 usage, 3 gateway unreachable, 4 signature or admin token refused.`;

const OPTIONS = {
  email: { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  graph: { type: 'string' },
  'no-wait': { type: 'boolean' },
  timeout: { type: 'string' },
};

const POLL_MS = process.env.INLET_POLL_MS ? Number(process.env.INLET_POLL_MS) : undefined;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The sources of inlet.config.ts with the destinations their routes reach, loaded as the Worker does. */
async function loadSources() {
  const { loadConfig, routeTargets } = await import('../../../scripts/config.mjs');
  const config = await loadConfig(rootPath('inlet.config.ts'));
  return { sources: config.sources, targets: routeTargets(config) };
}

const secretVarOf = (name, entry) =>
  entry.secretVar ?? `SOURCE_${name.toUpperCase().replaceAll('-', '_')}_SECRET`;

/** Nested fields as form keys the way PHP-style forms (Mailchimp's) write them: `data[merges][FNAME]`. */
function formFields(value, prefix = '', out = new URLSearchParams()) {
  for (const [key, item] of Object.entries(value)) {
    const name = prefix ? `${prefix}[${key}]` : key;
    if (item === null || item === undefined) out.append(name, '');
    else if (Array.isArray(item))
      for (const each of item)
        out.append(name, typeof each === 'object' ? JSON.stringify(each) : String(each));
    else if (typeof item === 'object') formFields(item, name, out);
    else out.append(name, String(item));
  }
  return out;
}

/** A multipart body with a known boundary, built by hand so its exact bytes can be signed. */
function multipart(fields) {
  const boundary = `----inlet-${randomUUID()}`;
  const parts = Object.entries(fields).map(([name, value]) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `--${boundary}\r\nContent-Disposition: form-data; name="${name.replaceAll('"', '%22')}"\r\n\r\n${text}\r\n`;
  });
  return {
    body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/**
 * The body to post: the payload file's bytes, or the sample encoded as the provider encodes it.
 * `form` is the parameters of a form body, which Twilio and Mandrill sign instead of the bytes.
 */
function encode(type, kind, payload, file) {
  if (kind === 'json') {
    return { body: file ?? Buffer.from(JSON.stringify(payload)), contentType: 'application/json' };
  }
  if (file && payload === undefined) {
    // A form-encoded file: sent as it is.
    return {
      body: file,
      contentType: 'application/x-www-form-urlencoded',
      form: new URLSearchParams(file.toString('utf8')),
    };
  }
  // Mandrill posts its events as one JSON field; a file may hold just the array.
  let fields = type === 'mandrill' && Array.isArray(payload) ? { mandrill_events: payload } : payload;
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) {
    throw usageError(`a ${type} payload is a JSON object of form fields`, 'send');
  }
  if (
    type === 'mandrill' &&
    fields.mandrill_events !== undefined &&
    typeof fields.mandrill_events !== 'string'
  ) {
    fields = { ...fields, mandrill_events: JSON.stringify(fields.mandrill_events) };
  }
  if (kind === 'multipart') return multipart(fields);
  const form = formFields(fields);
  return { body: Buffer.from(form.toString()), contentType: 'application/x-www-form-urlencoded', form };
}

/** The payload file's bytes, and its JSON when it is JSON (a form-encoded file for form sources need not be). */
function readPayloadFile(path, kind) {
  let bytes;
  try {
    bytes = path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (error) {
    throw usageError(`cannot read ${path === '-' ? 'stdin' : path}: ${error.code ?? error.message}`, 'send');
  }
  try {
    return { bytes, payload: JSON.parse(bytes.toString('utf8')) };
  } catch (error) {
    if (kind === 'form') return { bytes, payload: undefined };
    throw usageError(`${path === '-' ? 'stdin' : path} is not valid JSON: ${error.message}`, 'send');
  }
}

function parseHeaders(values = []) {
  const headers = {};
  for (const value of values) {
    const match = /^([^:\s]+)\s*:\s*(.*)$/.exec(value);
    if (!match) throw usageError(`--header must be 'Name: value' (not ${value})`, 'send');
    headers[match[1].toLowerCase()] = match[2];
  }
  return headers;
}

/** Builds the signed request for one source: URL, headers, body. */
async function build(name, entry, context) {
  const preset = entry.verify ?? entry.type;
  const sampler = SAMPLES[entry.type];
  const signer = SIGNERS[preset];
  if (!sampler || !signer)
    throw new CliError(
      EXIT.failed,
      `inlet send does not know how to sign a ${entry.type} source with ${preset}`,
    );
  const secretVar = secretVarOf(name, entry);
  const found = secret([secretVar], context.url);
  if (!found) {
    throw new CliError(EXIT.failed, `no secret for ${name}: ${secretVar} is not set`, {
      hint: context.local
        ? `add ${secretVar} to .dev.vars (see .dev.vars.example), or set it in the environment`
        : `set ${secretVar} in the environment to the secret the gateway at ${context.url} has`,
    });
  }
  // Several secrets separated by spaces are a rotation: the first is the current one.
  const key = found.value.split(/\s+/).find(Boolean);

  let payload;
  let file;
  if (context.payloadPath) {
    ({ bytes: file, payload } = readPayloadFile(context.payloadPath, sampler.kind));
  } else {
    const email = context.email ?? `${name}.${Date.now()}@example.com`;
    payload = await sampler.sample({ email, name, entry, graph: context.graph });
  }
  const { body, contentType, form } = encode(entry.type, sampler.kind, payload, file);
  const path = `/in/${encodeURIComponent(name)}`;
  const signed = signer({ body, secret: key, url: `${context.url}${path}`, form });
  const query = new URLSearchParams(signed.query ?? {}).toString();
  return {
    url: `${context.url}${path}${query ? `?${query}` : ''}`,
    // Provider headers first, the user's next, the signature last: -H cannot break what was signed.
    headers: { 'content-type': contentType, ...sampler.headers?.(), ...context.headers, ...signed.headers },
    body,
    secretFrom: found.from,
    secretVar,
    expect: context.payloadPath ? undefined : sampler.expect,
  };
}

/** Polls one event until it is final or the time is up, reporting each state it reads. */
async function follow(client, id, { timeoutMs, onUpdate }) {
  const deadline = Date.now() + timeoutMs;
  let wait = POLL_MS ?? 150;
  for (;;) {
    const event = await client.get(`/events/${encodeURIComponent(id)}`);
    if (FINAL_EVENT_STATUSES.includes(event.status)) return { event, final: true };
    onUpdate(event);
    const left = deadline - Date.now();
    if (left <= 0) return { event, final: false };
    await sleep(Math.min(wait, left));
    if (POLL_MS === undefined) wait = Math.min(1000, Math.round(wait * 1.5));
  }
}

/** Sends to one source and follows its events; returns what happened, for a line or JSON. */
async function sendOne(name, context, line, onPosted = () => {}) {
  const entry = context.sources[name];
  const request = await build(name, entry, context);
  const response = await reach(context.url, request.url, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  const answer = await readAnswer(response);
  if (!response.ok) {
    const error = problemError(response, answer, `POST /in/${name}`);
    if (response.status === 401) {
      throw new CliError(EXIT.unauthorized, error.message, {
        hint: `signed with ${request.secretFrom}; set ${request.secretVar} to the secret the gateway at ${context.url} has`,
      });
    }
    throw error;
  }
  const ids = answer?.ids ?? (answer?.id ? [answer.id] : []);
  const routed = (context.targets[name] ?? []).length > 0;
  const expected = request.expect ?? (routed ? 'delivered' : 'unrouted');
  // A merged event was delivered with another; an ignored one was a non-lead a user's file sent.
  const fine = new Set([
    expected,
    ...(expected === 'delivered' ? ['merged'] : []),
    ...(context.payloadPath ? ['ignored'] : []),
  ]);
  const result = {
    source: name,
    status: response.status,
    answer,
    expected,
    events: [],
    ok: true,
    final: true,
  };
  const kind = answer?.duplicate
    ? 'duplicate'
    : answer?.ignored
      ? `ignored (${answer.event_type ?? 'not a lead'})`
      : '';
  result.posted =
    `POST /in/${name} → ${response.status}${kind ? ` ${kind}` : ''} ${ids.join(', ')}`.trimEnd();
  onPosted(result.posted);
  if (context.noWait || ids.length === 0) return result;

  for (const id of ids) {
    const { event, final } = await follow(context.client, id, {
      timeoutMs: context.timeoutMs,
      onUpdate: (event) => line.update(context.prefix(describeEvent(context.c, event))),
    });
    result.events.push(event);
    if (!final) result.final = false;
    if (!final || !fine.has(event.status)) result.ok = false;
  }
  return result;
}

/** The final line of a send: each event, or why it is not final yet. */
function outcome(c, result, timeoutMs) {
  return result.events
    .map((event) => {
      const text = describeEvent(c, event);
      if (!result.final && !FINAL_EVENT_STATUSES.includes(event.status))
        return `${text} · still ${event.status} after ${timeoutMs / 1000} s`;
      if (result.ok || event.status === result.expected) return text;
      return `${text} · expected ${result.expected}`;
    })
    .join('; ');
}

export async function run(argv) {
  const { values, positionals } = parse('send', argv, OPTIONS);
  const [name, second, ...extra] = positionals;
  if (!name) {
    const { sources } = await loadSources();
    throw usageError(`which source? one of ${Object.keys(sources).join(', ')}, or all`, 'send');
  }
  if (extra.length) throw usageError(`unexpected argument: ${extra[0]}`, 'send');
  let email = values.email;
  let payloadPath = second;
  // `npm run send -- typeform ada@example.com`, as the old script took it: an email, not a file.
  if (second && /^[^\s@/]+@[^\s@/]+$/.test(second) && !values.email) {
    email = second;
    payloadPath = undefined;
  }
  if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email))
    throw usageError(`not an email address: ${email}`, 'send');
  if (payloadPath && email)
    throw usageError('--email sets the sample\u2019s email; with a payload file, edit the file', 'send');
  if (name === 'all' && payloadPath)
    throw usageError('`inlet send all` sends the samples; give one source for a payload file', 'send');
  const timeout = integer('send', 'timeout', values.timeout, 1, 3600) ?? 30;

  const url = gatewayUrl(values.url);
  const { sources, targets } = await loadSources();
  const names = name === 'all' ? Object.keys(sources) : [name];
  if (!sources[name] && name !== 'all') {
    throw usageError(
      `no source is named ${name} in inlet.config.ts (sources: ${Object.keys(sources).join(', ')})`,
      'send',
    );
  }
  const c = paint(process.stdout);
  const context = {
    url,
    local: isLocal(url),
    sources,
    targets,
    email,
    payloadPath,
    headers: parseHeaders(values.header),
    graph: values.graph ?? process.env.INLET_GRAPH_URL ?? 'http://127.0.0.1:8789',
    noWait: values['no-wait'] ?? false,
    timeoutMs: timeout * 1000,
    client: adminClient(url),
    c,
    prefix: (text) => text,
  };
  const line = values.json ? new StatusLine({ isTTY: false, write() {} }) : new StatusLine(process.stdout);

  if (name !== 'all') {
    // The answer first, then the line that follows the event.
    const result = await sendOne(name, context, line, values.json ? undefined : print);
    if (values.json) {
      printJson(result);
    } else {
      if (result.events.length) line.done(outcome(c, result, context.timeoutMs));
    }
    return result.ok ? EXIT.ok : EXIT.failed;
  }

  const width = Math.max(...names.map((n) => n.length));
  const results = [];
  for (const source of names) {
    const label = (mark) => `${mark}  ${source.padEnd(width)}  `;
    context.prefix = (text) => `${label('…   ')}${text}`;
    line.update(`${label('…   ')}sending`);
    let result;
    try {
      result = await sendOne(source, context, line);
    } catch (error) {
      // One gateway for every source: when it cannot be reached, the rest cannot either.
      if (error.exitCode === EXIT.unreachable) {
        line.done(`${label(c.red('FAIL'))}${error.message}`);
        throw error;
      }
      result = { source, ok: false, error: error.message, events: [] };
    }
    results.push(result);
    if (values.json) continue;
    const text =
      result.error ??
      (result.events.length ? `${result.status}  ${outcome(c, result, context.timeoutMs)}` : result.posted);
    line.done(`${label(result.ok ? c.green('ok  ') : c.red('FAIL'))}${text}`);
  }
  const passed = results.filter((r) => r.ok).length;
  if (values.json) printJson(results);
  else {
    const failed = results.length - passed;
    print(`\n${passed}/${results.length} sources ended as expected${failed ? `, ${failed} did not` : ''}`);
  }
  return passed === results.length ? EXIT.ok : EXIT.failed;
}

/** The configured sources with their schemes, for `inlet send --help`. */
export async function sourcesHelp() {
  try {
    const { sources, targets } = await loadSources();
    const width = Math.max(...Object.keys(sources).map((n) => n.length));
    const lines = Object.entries(sources).map(([name, entry]) => {
      const preset = entry.verify ?? entry.type;
      const sample = SAMPLES[entry.type];
      const ends = sample?.expect
        ? ` (sample ends ${sample.expect}: no contact)`
        : (targets[name] ?? []).length
          ? ''
          : ' (no route: ends unrouted)';
      return `  ${name.padEnd(width)}  ${entry.type === 'flat' ? 'flat, ' : ''}${SCHEMES[preset] ?? preset}${ends}`;
    });
    return `\n\nsources of inlet.config.ts:\n${lines.join('\n')}\n  ${'all'.padEnd(width)}  every source above, one after the other`;
  } catch {
    return '';
  }
}
