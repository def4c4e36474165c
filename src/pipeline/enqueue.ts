/**
 * The one way anything is put on the delivery queue. `{eventId}` asks for the event to be mapped
 * and routed (or its waiting deliveries attempted); `{eventId, destination}` for that one delivery;
 * `probe` lets it through a paused destination. A new event's message may carry the event itself
 * (`event`, src/pipeline/accept.ts), which the consumer stores if D1 does not hold it yet.
 */
import type { NewEvent } from '../store/events';
import { fromBase64, toBase64 } from '../verify/crypto';

export interface DeliveryMessage {
  eventId: string;
  destination?: string;
  probe?: true;
  event?: CarriedEvent;
}

/** An event as its message carries it: the body as text when it is UTF-8 (leads are), else base64. */
export interface CarriedEvent extends Omit<NewEvent, 'id' | 'body'> {
  text?: string;
  base64?: string;
}

/**
 * Largest message that carries its event. Queues refuse a message over 128 KB and bill each 64 KB
 * of one as an operation: a carried event stays within one.
 */
const CARRY_LIMIT = 60_000;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The event's message with the event in it, or undefined when it is too large to carry. */
export function carry(event: NewEvent): DeliveryMessage | undefined {
  if (event.body.byteLength > CARRY_LIMIT) return undefined;
  const { id, body, ...rest } = event;
  let encoded: { text: string } | { base64: string };
  try {
    encoded = { text: strictUtf8.decode(body) };
  } catch {
    encoded = { base64: toBase64(new Uint8Array(body)) };
  }
  const message = { eventId: id, event: { ...rest, ...encoded } };
  return JSON.stringify(message).length > CARRY_LIMIT ? undefined : message;
}

/** The event a message carries, as D1 would store it. */
export function carriedEvent(message: DeliveryMessage): NewEvent | undefined {
  const carried = message.event;
  if (!carried) return undefined;
  const { text, base64, ...rest } = carried;
  const body = text !== undefined ? new TextEncoder().encode(text) : fromBase64(base64 ?? '');
  return body ? { ...rest, id: message.eventId, body } : undefined;
}

export interface Outgoing {
  body: DeliveryMessage;
  delaySeconds?: number;
}

/** Cloudflare Queues take at most 100 messages per sendBatch. */
const SEND_BATCH_LIMIT = 100;

export async function enqueue(queue: Queue, messages: readonly Outgoing[]): Promise<void> {
  for (let i = 0; i < messages.length; i += SEND_BATCH_LIMIT) {
    await queue.sendBatch(
      messages.slice(i, i + SEND_BATCH_LIMIT).map((message) => ({
        body: message.body,
        contentType: 'json',
        ...(message.delaySeconds ? { delaySeconds: message.delaySeconds } : {}),
      })),
    );
  }
}
