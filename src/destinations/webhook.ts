/**
 * The webhook destination: POSTs the lead as JSON, signed with Standard Webhooks so n8n, Make or
 * any service can verify it came from Inlet. `webhook-id` is the event id, the same on every
 * attempt, so the receiver can drop a repeat of a delivery it already applied.
 */
import { classifyStatus } from '../lib/outcome';
import { type Bytes, hmac, toBase64, utf8 } from '../verify/crypto';
import { decodeWebhookSecret, signedContent } from '../verify/standard-webhooks';
import { call, jsonOf, outcome } from './http';
import type { DeliveryContext, DeliveryOutcome, DeliveryRequest, Destination } from './types';

export interface WebhookOptions {
  url: string | undefined;
  secret: string | undefined;
  /** Names of the var and secret, for an error that tells the operator what to set. */
  urlVar: string;
  secretVar: string;
}

export function deliveryBody(delivery: DeliveryRequest, nowMs: number): string {
  return JSON.stringify({
    type: delivery.person.action === 'create' ? 'lead.created' : 'lead.updated',
    timestamp: new Date(nowMs).toISOString(),
    data: {
      event_id: delivery.eventId,
      source: delivery.source,
      received_at: new Date(delivery.receivedAt).toISOString(),
      person: { id: delivery.person.id, crm_record_id: delivery.person.recordId },
      merged_event_ids: delivery.mergedEventIds,
      lead: delivery.lead,
    },
  });
}

/** Headers that sign `body` for an outbound delivery, as any Standard Webhooks receiver verifies them. */
export async function signStandardWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: Bytes,
): Promise<Record<string, string>> {
  const key = decodeWebhookSecret(secret);
  if (!key?.byteLength) throw new Error('destination secret is not a valid whsec_ secret');
  const timestamp = String(timestampSeconds);
  const signature = await hmac('SHA-256', key, signedContent(id, timestamp, body));
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${toBase64(signature)}`,
  };
}

const configError = (reason: string): DeliveryOutcome => ({
  errorClass: 'config_error',
  httpStatus: null,
  reason,
  durationMs: 0,
});

export function webhookDestination(name: string, options: WebhookOptions): Destination {
  async function post(request: DeliveryRequest, context: DeliveryContext): Promise<DeliveryOutcome> {
    if (!options.url) return configError(`${options.urlVar} is not set`);
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      return configError(`${options.urlVar} is not a valid URL`);
    }
    const body = utf8(deliveryBody(request, context.nowMs));
    let signature: Record<string, string>;
    try {
      signature = await signStandardWebhook(
        options.secret ?? '',
        request.eventId,
        Math.floor(context.nowMs / 1000),
        body,
      );
    } catch {
      return configError(`${options.secretVar} is not a whsec_ secret`);
    }
    const sent = await call(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Inlet/1', ...signature },
        body,
      },
      context.timeoutMs,
    );
    if (!sent.ok) return sent.outcome;
    const { response, durationMs } = sent;
    const errorClass = classifyStatus(response.status);
    const reason = `HTTP ${response.status}`;
    if (errorClass !== 'ok') {
      // Error bodies may echo the lead: never read.
      await response.body?.cancel();
      // The receiver does not know our credentials or the URL: every lead would fail alike.
      if (response.status === 401 || response.status === 403 || response.status === 410)
        return outcome(response, 'config_error', reason, durationMs);
      return outcome(response, errorClass, reason, durationMs);
    }
    const answer = await jsonOf<{ id?: unknown; record_id?: unknown }>(response);
    const id = answer?.record_id ?? answer?.id;
    const recordId = typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 200) : undefined;
    return outcome(response, 'ok', reason, durationMs, recordId === undefined ? {} : { recordId });
  }

  return {
    name,
    type: 'webhook',
    async deliver(requests, context) {
      return Promise.all(
        requests.map(async (request) => {
          const first = await post(request, context);
          // A receiver that lost the record it told us about (deleted, or a local mock restarted):
          // deliver the lead as new rather than let it die; the receiver's answer names the new id.
          if (first.httpStatus === 404 && request.person.action === 'update') {
            const again = await post(
              { ...request, person: { ...request.person, action: 'create', recordId: null } },
              context,
            );
            return again.httpStatus === 404 ? { ...again, errorClass: 'config_error' as const } : again;
          }
          // A 404 to a new lead means the URL is wrong.
          return first.httpStatus === 404 ? { ...first, errorClass: 'config_error' as const } : first;
        }),
      );
    },
  };
}
