/**
 * A fake Slack on 127.0.0.1 that behaves like its incoming webhooks: `POST /services/T000/B000/XXXX`
 * takes a JSON `{text, blocks}` (or the form-encoded `payload=` Slack also takes), validates it as
 * Slack does, and answers `200` with the text body `ok`. What Slack refuses is refused the same
 * way, as a 400 with Slack's plain-text error string: `invalid_payload` (not JSON, not an object),
 * `no_text` (neither text nor blocks), `invalid_blocks` (a block Block Kit rejects: unknown type,
 * a text over its limit, more than 50 blocks, a repeated block_id or action_id) and `msg_too_long`
 * (text over 40,000 characters; Slack itself may truncate instead).
 *
 * Interactivity: `POST /response/<id>` is a `response_url` (`{replace_original?, text?, blocks?}`),
 * answered `200 ok` and recorded apart from the messages. Like Slack's, one is good for five posts
 * (then `404 used_url`); an id this server never issued answers `404 expired_url`.
 *
 * Control API (tests only): GET /__control/messages (each with `at`), GET /__control/responses,
 * POST /__control/fail {status?, times, retryAfter?, delayMs?} (the next `times` posts, to the
 * webhook or a response_url, wait `delayMs` and answer `status`: 429 carries `Retry-After`,
 * default 1; without a status they are only slowed, then handled), POST /__control/reset, and
 * POST /__control/response-url → {url}, a fresh response_url on this server.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readAll } from './http.ts';

/** A message the webhook accepted. */
export interface SlackRecordedMessage {
  at: number;
  text: string | null;
  blocks: unknown[];
  /** The whole body as posted, for fields beyond text and blocks. */
  body: Record<string, unknown>;
}

/** A post to a response_url that was accepted. */
export interface SlackRecordedResponse {
  at: number;
  id: string;
  replaceOriginal: boolean;
  deleteOriginal: boolean;
  responseType: string | null;
  text: string | null;
  blocks: unknown[];
}

/** One scripted failure, as `POST /__control/fail` takes it. */
export interface SlackFailure {
  status?: number;
  times: number;
  retryAfter?: number;
  delayMs?: number;
}

export interface FakeSlackOptions {
  port?: number;
  /** Print one line per message received (`[fake-slack] <text>`), for `npm run dev`. */
  print?: boolean;
}

export interface FakeSlack {
  /** The server's base URL (the control API lives under it). */
  url: string;
  /** The incoming-webhook URL to configure as an alert channel. */
  webhookUrl: string;
  close(): Promise<void>;
}

export const WEBHOOK_PATH = '/services/T000/B000/XXXX';
const MAX_TEXT = 40_000;
const MAX_BLOCKS = 50;
const RESPONSE_URL_USES = 5;

// Slack's bodies for the scripted statuses: plain strings, as its webhooks answer.
const FAILURE_BODIES: Record<number, string> = {
  429: 'rate_limited',
  500: 'rollup_error',
  503: 'service_unavailable',
};

const sendText = (
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
) => {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  response.end(body);
};

const sendJson = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isString = (value: unknown, min: number, max: number): value is string =>
  typeof value === 'string' && value.length >= min && value.length <= max;

/** A text object: plain_text or mrkdwn, 1 to `max` characters. */
function textObject(value: unknown, max: number, plainOnly = false): boolean {
  if (!isObject(value)) return false;
  if (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn')) return false;
  if (value.emoji !== undefined && (value.type !== 'plain_text' || typeof value.emoji !== 'boolean'))
    return false;
  return isString(value.text, 1, max);
}

function confirmObject(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') return false;
  return (
    textObject(value.title, 100, true) &&
    textObject(value.text, 300) &&
    textObject(value.confirm, 30, true) &&
    textObject(value.deny, 30, true)
  );
}

function button(value: Record<string, unknown>, actionIds: Set<string>): boolean {
  if (!textObject(value.text, 75, true)) return false;
  if (value.action_id !== undefined) {
    if (!isString(value.action_id, 1, 255) || actionIds.has(value.action_id)) return false;
    actionIds.add(value.action_id);
  }
  if (value.value !== undefined && !isString(value.value, 1, 2000)) return false;
  if (value.url !== undefined && !isString(value.url, 1, 3000)) return false;
  if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') return false;
  if (value.confirm !== undefined && !confirmObject(value.confirm)) return false;
  return true;
}

function image(value: Record<string, unknown>): boolean {
  return isString(value.image_url, 1, 3000) && isString(value.alt_text, 1, 2000);
}

// Types a message may carry that this fake does not check in depth: accepted as Slack would take a
// well-formed one, so a test using them is not refused for the fake's sake.
const LOOSE_TYPES = new Set(['rich_text', 'markdown', 'video', 'file', 'table']);

/**
 * Block Kit as Slack checks a message's blocks: the types a message may hold, their required parts
 * and length limits, at most 50 blocks, block_id and action_id unique in the message.
 */
export function validBlocks(blocks: unknown): boolean {
  if (!Array.isArray(blocks) || blocks.length > MAX_BLOCKS) return false;
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  for (const block of blocks) {
    if (!isObject(block) || typeof block.type !== 'string') return false;
    if (block.block_id !== undefined) {
      if (!isString(block.block_id, 1, 255) || blockIds.has(block.block_id)) return false;
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) return false;
        if (block.text !== undefined && !textObject(block.text, 3000)) return false;
        if (block.fields !== undefined) {
          const fields = block.fields;
          if (!Array.isArray(fields) || fields.length < 1 || fields.length > 10) return false;
          if (!fields.every((field) => textObject(field, 2000))) return false;
        }
        if (block.accessory !== undefined) {
          const accessory = block.accessory;
          if (!isObject(accessory)) return false;
          if (
            accessory.type === 'button'
              ? !button(accessory, actionIds)
              : accessory.type !== 'image' || !image(accessory)
          )
            return false;
        }
        break;
      }
      case 'header':
        if (!textObject(block.text, 150, true)) return false;
        break;
      case 'divider':
        break;
      case 'context': {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length < 1 || elements.length > 10) return false;
        for (const element of elements)
          if (
            !(textObject(element, 3000) || (isObject(element) && element.type === 'image' && image(element)))
          )
            return false;
        break;
      }
      case 'actions': {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length < 1 || elements.length > 25) return false;
        for (const element of elements) {
          if (!isObject(element) || typeof element.type !== 'string') return false;
          // Buttons are checked in full; the selects and pickers only for a type and an action_id.
          if (
            element.type === 'button'
              ? !button(element, actionIds)
              : !isString(element.action_id ?? 'x', 1, 255)
          )
            return false;
        }
        break;
      }
      case 'image':
        if (!image(block)) return false;
        break;
      default:
        if (!LOOSE_TYPES.has(block.type)) return false;
    }
  }
  return true;
}

/** Why Slack would refuse this message body, or undefined if it would post it. */
function refusal(body: Record<string, unknown>): string | undefined {
  const { text, blocks } = body;
  if (text !== undefined && typeof text !== 'string') return 'invalid_payload';
  const hasText = typeof text === 'string' && text.trim() !== '';
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  if (!hasText && !hasBlocks) return 'no_text';
  if (blocks !== undefined && !validBlocks(blocks)) return 'invalid_blocks';
  if (typeof text === 'string' && text.length > MAX_TEXT) return 'msg_too_long';
  return undefined;
}

/** The body as Slack reads it: JSON, or a form with the JSON in `payload`. */
function parseBody(contentType: string, raw: string): Record<string, unknown> | undefined {
  try {
    const json = contentType.startsWith('application/x-www-form-urlencoded')
      ? new URLSearchParams(raw).get('payload')
      : raw;
    const value: unknown = JSON.parse(json ?? '');
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Starts the fake on 127.0.0.1 (`port` 0 or absent: any free port). */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const messages: SlackRecordedMessage[] = [];
  const responses: SlackRecordedResponse[] = [];
  /** response_url id → posts left. */
  const responseUrls = new Map<string, number>();
  const failures: SlackFailure[] = [];
  let base = '';

  /** The scripted answer for this post, if one is due: consumed one `times` at a time. */
  const nextFailure = (): SlackFailure | undefined => {
    const failure = failures[0];
    if (!failure) return undefined;
    if (--failure.times <= 0) failures.shift();
    return failure;
  };

  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const raw = await readAll(request);
      const method = request.method ?? 'GET';

      if (url.pathname.startsWith('/__control/')) {
        const route = `${method} ${url.pathname.slice('/__control/'.length)}`;
        if (route === 'GET messages') return sendJson(response, 200, messages);
        if (route === 'GET responses') return sendJson(response, 200, responses);
        if (route === 'POST reset') {
          messages.length = 0;
          responses.length = 0;
          failures.length = 0;
          responseUrls.clear();
          return sendJson(response, 200, { ok: true });
        }
        if (route === 'POST fail') {
          const failure = JSON.parse(raw) as SlackFailure;
          if (!(Number.isInteger(failure.times) && failure.times > 0))
            return sendJson(response, 400, { error: 'times must be a positive integer' });
          failures.push({ ...failure });
          return sendJson(response, 200, { ok: true, pending: failures.length });
        }
        if (route === 'POST response-url') {
          const id = randomUUID();
          responseUrls.set(id, RESPONSE_URL_USES);
          return sendJson(response, 200, { url: `${base}/response/${id}` });
        }
        return sendJson(response, 404, { error: 'not_found' });
      }

      const isWebhook = url.pathname === WEBHOOK_PATH;
      const responseId = url.pathname.startsWith('/response/')
        ? url.pathname.slice('/response/'.length)
        : undefined;
      if (!isWebhook && responseId === undefined) return sendText(response, 404, 'no_service');
      if (method !== 'POST') return sendText(response, 405, 'invalid_method');

      const failure = nextFailure();
      if (failure?.delayMs) await new Promise((resolve) => setTimeout(resolve, failure.delayMs));
      if (failure?.status !== undefined) {
        const headers: Record<string, string> =
          failure.status === 429 ? { 'retry-after': String(failure.retryAfter ?? 1) } : {};
        return sendText(
          response,
          failure.status,
          FAILURE_BODIES[failure.status] ?? 'scripted_failure',
          headers,
        );
      }

      const body = parseBody(String(request.headers['content-type'] ?? ''), raw);
      if (!body) return sendText(response, 400, 'invalid_payload');

      if (responseId !== undefined) {
        const left = responseUrls.get(responseId);
        if (left === undefined) return sendText(response, 404, 'expired_url');
        if (left <= 0) return sendText(response, 404, 'used_url');
        const flags = [body.replace_original, body.delete_original];
        if (flags.some((flag) => flag !== undefined && typeof flag !== 'boolean'))
          return sendText(response, 400, 'invalid_payload');
        const deleteOriginal = body.delete_original === true;
        const problem = deleteOriginal ? undefined : refusal(body);
        if (problem) return sendText(response, 400, problem);
        responseUrls.set(responseId, left - 1);
        responses.push({
          at: Date.now(),
          id: responseId,
          replaceOriginal: body.replace_original === true,
          deleteOriginal,
          responseType: typeof body.response_type === 'string' ? body.response_type : null,
          text: typeof body.text === 'string' ? body.text : null,
          blocks: Array.isArray(body.blocks) ? body.blocks : [],
        });
        if (options.print)
          console.log(`[fake-slack] response: ${oneLine(String(body.text ?? '(blocks only)'))}`);
        return sendText(response, 200, 'ok');
      }

      const problem = refusal(body);
      if (problem) return sendText(response, 400, problem);
      messages.push({
        at: Date.now(),
        text: typeof body.text === 'string' ? body.text : null,
        blocks: Array.isArray(body.blocks) ? body.blocks : [],
        body,
      });
      if (options.print) console.log(`[fake-slack] ${oneLine(String(body.text ?? '(blocks only)'))}`);
      return sendText(response, 200, 'ok');
    } catch (error) {
      return sendText(response, 500, error instanceof Error ? error.name : 'error');
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    webhookUrl: `${base}${WEBHOOK_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        // A scripted delay must not hold the test run open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
