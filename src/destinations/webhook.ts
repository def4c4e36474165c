/**
 * The generic HTTP destination: POSTs the lead as JSON, signed with Standard Webhooks so n8n, Make
 * or any service can verify it came from Inlet. `webhook-id` is the event id, the same on every
 * attempt, so the receiver can drop a repeat of a delivery it already applied.
 */
import { classifyStatus, type ErrorClass, parseRetryAfter } from '../lib/outcome';
import { utf8 } from '../verify/crypto';
import { signStandardWebhook } from '../verify/standard-webhooks';

export interface Delivery {
  eventId: string;
  source: string;
  receivedAt: number;
  lead: unknown;
  /** Who the lead is: `create` the first time the destination hears of this person, then `update`. */
  person: { id: string; action: 'create' | 'update'; crmRecordId: string | null };
  /** Events folded into this delivery by the merge window. */
  mergedEventIds: readonly string[];
}

export interface DeliveryOutcome {
  errorClass: ErrorClass;
  httpStatus: number | null;
  /** Short and PII-free: a status line or an error class, never a response body. */
  reason: string;
  retryAfterSeconds?: number;
  /** The destination's id for the person, when its 2xx answer names one (`id` or `record_id`). */
  recordId?: string;
  durationMs: number;
}

export interface WebhookDestination {
  url: string;
  secret: string;
  timeoutMs: number;
}

export function deliveryBody(delivery: Delivery, nowMs: number): string {
  return JSON.stringify({
    type: delivery.person.action === 'create' ? 'lead.created' : 'lead.updated',
    timestamp: new Date(nowMs).toISOString(),
    data: {
      event_id: delivery.eventId,
      source: delivery.source,
      received_at: new Date(delivery.receivedAt).toISOString(),
      person: { id: delivery.person.id, crm_record_id: delivery.person.crmRecordId },
      merged_event_ids: delivery.mergedEventIds,
      lead: delivery.lead,
    },
  });
}

export async function deliverWebhook(
  destination: WebhookDestination,
  delivery: Delivery,
  nowMs: number = Date.now(),
): Promise<DeliveryOutcome> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  let url: URL;
  try {
    url = new URL(destination.url);
  } catch {
    return {
      errorClass: 'config_error',
      httpStatus: null,
      reason: 'destination URL is not valid',
      durationMs: 0,
    };
  }
  const body = utf8(deliveryBody(delivery, nowMs));
  let signature: Record<string, string>;
  try {
    signature = await signStandardWebhook(
      destination.secret,
      delivery.eventId,
      Math.floor(nowMs / 1000),
      body,
    );
  } catch {
    return {
      errorClass: 'config_error',
      httpStatus: null,
      reason: 'DESTINATION_SECRET is not a whsec_ secret',
      durationMs: 0,
    };
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Inlet/1', ...signature },
      body,
      signal: AbortSignal.timeout(destination.timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return timedOut
      ? {
          errorClass: 'timeout',
          httpStatus: null,
          reason: `no response within ${destination.timeoutMs} ms`,
          durationMs: elapsed(),
        }
      : { errorClass: 'network', httpStatus: null, reason: 'connection failed', durationMs: elapsed() };
  }
  const errorClass = classifyStatus(response.status);
  // Only a success body is read, and only for the record id; error bodies may echo PII and are dropped.
  let recordId: string | undefined;
  if (errorClass === 'ok') recordId = await recordIdOf(response);
  else await response.body?.cancel();
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), Date.now());
  return {
    errorClass,
    httpStatus: response.status,
    reason: `HTTP ${response.status}`,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    ...(recordId === undefined ? {} : { recordId }),
    durationMs: elapsed(),
  };
}

const MAX_RECORD_BODY_BYTES = 64 * 1024;

async function recordIdOf(response: Response): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (!response.headers.get('content-type')?.includes('json') || declared > MAX_RECORD_BODY_BYTES) {
    await response.body?.cancel();
    return undefined;
  }
  try {
    const body = (await response.json()) as { id?: unknown; record_id?: unknown };
    const id = body.record_id ?? body.id;
    return typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}
