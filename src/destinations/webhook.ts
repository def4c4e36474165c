/**
 * The generic HTTP destination: POSTs the lead as JSON, signed with Standard Webhooks so n8n, Make
 * or any service can verify it came from Inlet. `webhook-id` is the event id, the same on every
 * attempt, so the receiver can drop a repeat of a delivery it already applied.
 */
import { classifyStatus, type ErrorClass, parseRetryAfter } from '../pipeline/retry-policy';
import { utf8 } from '../verify/crypto';
import { signStandardWebhook } from '../verify/standard-webhooks';

export interface Delivery {
  eventId: string;
  source: string;
  receivedAt: number;
  lead: unknown;
}

export interface DeliveryOutcome {
  errorClass: ErrorClass;
  httpStatus: number | null;
  /** Short and PII-free: a status line or an error class, never a response body. */
  reason: string;
  retryAfterSeconds?: number;
  durationMs: number;
}

export interface WebhookDestination {
  url: string;
  secret: string;
  timeoutMs: number;
}

export function deliveryBody(delivery: Delivery, nowMs: number): string {
  return JSON.stringify({
    type: 'lead.received',
    timestamp: new Date(nowMs).toISOString(),
    data: {
      event_id: delivery.eventId,
      source: delivery.source,
      received_at: new Date(delivery.receivedAt).toISOString(),
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
  // Drain the body so the connection can be reused; its content may echo PII, so it is not kept.
  await response.body?.cancel();
  const errorClass = classifyStatus(response.status);
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), Date.now());
  return {
    errorClass,
    httpStatus: response.status,
    reason: `HTTP ${response.status}`,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    durationMs: elapsed(),
  };
}
