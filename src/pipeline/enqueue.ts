/**
 * The one way anything is put on the delivery queue. A message is a pointer, never the payload:
 * `{eventId}` asks for the event to be mapped and routed (or its waiting deliveries attempted);
 * `{eventId, destination}` for that one delivery; `probe` lets it through a paused destination.
 */

export interface DeliveryMessage {
  eventId: string;
  destination?: string;
  probe?: true;
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
