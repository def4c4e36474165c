/**
 * Turns the verified raw body into a payload for the source's schema. Pure. JSON, form-urlencoded
 * (Twilio, Slack commands, Mandrill) and multipart forms (Jotform) are accepted; file parts are
 * ignored, since a lead is text.
 */
import * as v from 'valibot';
import { InletError, type PayloadIssue } from '../errors';

export type PayloadKind = 'json' | 'form' | 'multipart';

export function payloadKind(contentType: string): PayloadKind | undefined {
  const type = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  // Senders that forget the header (curl -d, some n8n nodes) almost always mean JSON.
  if (type === '' || type === 'application/json' || type.endsWith('+json') || type === 'text/plain')
    return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'multipart/form-data') return 'multipart';
  return undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Repeated keys become arrays, as form libraries on the sending side produce them. */
function collect(entries: Iterable<[string, string]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of entries) {
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  return out;
}

/** Deeper than any lead platform nests (Meta's batches are 5 levels), shallow enough for any rule. */
export const MAX_DEPTH = 32;
/** Values in one payload: forms send hundreds at most; tens of thousands are an attack on CPU time. */
export const MAX_VALUES = 10_000;

/**
 * Refuses a payload too deep or too large to map within the Worker's CPU limit, before it is
 * stored: walked without recursion, so the check itself cannot overflow the stack.
 */
function checkShape(payload: unknown): void {
  const stack: [unknown, number][] = [[payload, 1]];
  let values = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (++values > MAX_VALUES || depth > MAX_DEPTH) {
      throw new InletError(
        422,
        'payload_too_complex',
        `The payload nests deeper than ${MAX_DEPTH} levels or holds more than ${MAX_VALUES} values.`,
      );
    }
    if (node !== null && typeof node === 'object')
      for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
}

export async function parsePayload(contentType: string, body: Uint8Array): Promise<unknown> {
  const kind = payloadKind(contentType);
  if (!kind) {
    throw new InletError(
      415,
      'unsupported_media_type',
      'Send application/json, application/x-www-form-urlencoded or multipart/form-data.',
    );
  }
  let text: string;
  try {
    text = kind === 'multipart' ? '' : decoder.decode(body);
  } catch {
    throw new InletError(400, 'malformed_body', 'The body is not valid UTF-8.');
  }
  if (kind === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new InletError(400, 'malformed_body', 'The body is not valid JSON.');
    }
    checkShape(parsed);
    return parsed;
  }
  if (kind === 'form') {
    const form = collect(new URLSearchParams(text));
    checkShape(form);
    return form;
  }
  try {
    const form = await new Response(body as Uint8Array<ArrayBuffer>, {
      headers: { 'content-type': contentType },
    }).formData();
    const fields: [string, string][] = [];
    form.forEach((value, key) => {
      if (typeof value === 'string') fields.push([key, value]);
    });
    const collected = collect(fields);
    checkShape(collected);
    return collected;
  } catch (error) {
    if (error instanceof InletError) throw error;
    throw new InletError(400, 'malformed_body', 'The body is not a valid multipart form.');
  }
}

/**
 * Validates against the source's schema. Issues name the failing path and what was expected, never
 * the value received: a payload is full of PII, and error bodies end up in senders' logs.
 */
export function validatePayload<Schema extends v.GenericSchema>(
  schema: Schema,
  payload: unknown,
): v.InferOutput<Schema> {
  const result = v.safeParse(schema, payload);
  if (result.success) return result.output;
  const issues: PayloadIssue[] = result.issues.slice(0, 20).map((issue) => {
    const what =
      issue.kind === 'schema'
        ? 'type'
        : issue.type === 'check' || issue.type === 'raw_check'
          ? 'value'
          : issue.type;
    // A raw check's message is ours (src/leads/mappings/flat.ts), written to quote no value;
    // valibot's own messages quote what they received, so only the expectation is kept from those.
    return {
      path: issue.type === 'raw_check' ? (v.getDotPath(issue) ?? '') : schemaPath(schema, issue.path),
      message:
        issue.type === 'raw_check'
          ? issue.message
          : `Invalid ${what}${issue.expected ? `: expected ${issue.expected}` : ''}`,
    };
  });
  throw new InletError(
    422,
    'invalid_payload',
    'The payload does not match the schema of this source.',
    issues,
  );
}

type SchemaNode = {
  type?: string;
  entries?: Record<string, SchemaNode>;
  rest?: SchemaNode;
  item?: SchemaNode;
  items?: SchemaNode[];
  value?: SchemaNode;
  wrapped?: SchemaNode;
  options?: SchemaNode[];
  kind?: string;
  pipe?: SchemaNode[];
} & object;

/** Optional, nullable and piped schemas: the schema that holds the entries. */
function unwrap(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  for (let i = 0; current && i < 16; i++) {
    if (current.wrapped) current = current.wrapped;
    else {
      // `pipe(string(), parseJson(), record(...))`: the last schema of the pipe is what the path walks.
      const inner = current.pipe?.filter((step) => step.kind === 'schema' && step !== current).at(-1);
      if (inner && inner !== current && inner.type !== current.type) current = inner;
      else break;
    }
  }
  return current;
}

/**
 * An issue's path with the keys the schema names and `*` for every key the sender chose (a record's
 * keys, an object's unknown keys): a 422 tells where, never echoes a key a sender made up, which can
 * itself carry data (`data.ada@example.com`).
 */
export function schemaPath(schema: v.GenericSchema, path: readonly v.IssuePathItem[] | undefined): string {
  const out: string[] = [];
  let node: SchemaNode | undefined = schema as unknown as SchemaNode;
  for (const item of path ?? []) {
    node = unwrap(node);
    const key = item.key;
    if (typeof key === 'number') {
      out.push(String(key));
      node = node?.item ?? node?.items?.[key];
      continue;
    }
    const keyText = String(key);
    const options = node?.options ?? (node ? [node] : []);
    const named = options
      .map(unwrap)
      .find((option) => option?.entries && Object.hasOwn(option.entries, keyText));
    if (named?.entries) {
      out.push(keyText);
      node = named.entries[keyText];
    } else {
      out.push('*');
      node = node?.type === 'record' ? node.value : node?.rest;
    }
  }
  return out.join('.');
}
