/**
 * Destination holds in KV. When a destination answers 429 or 503 with `Retry-After`, every lead
 * for it would get the same answer until then; one KV write records the hold, and each consumer
 * batch reads it once and reschedules its messages without calling the destination. That spares the
 * outbound requests, the attempt rows, and the destination's rate-limit budget.
 *
 * Cost: one KV write per hold (per outage, not per event) and one cached KV read per batch. KV is
 * eventually consistent, so a consumer elsewhere may miss a fresh hold for up to a minute; it then
 * gets the 429 itself, which is what would have happened without the hold.
 */
const key = (destination: string) => `hold:${destination}`;

// KV rejects an expirationTtl under 60 s; the stored `until` is what counts, the TTL only cleans up.
const MIN_KV_TTL_SECONDS = 60;

export async function readHold(
  kv: KVNamespace,
  destination: string,
  nowMs: number,
): Promise<number | undefined> {
  const until = Number(await kv.get(key(destination)));
  return Number.isFinite(until) && until > nowMs ? until : undefined;
}

export async function writeHold(
  kv: KVNamespace,
  destination: string,
  untilMs: number,
  nowMs: number,
): Promise<void> {
  const ttl = Math.max(MIN_KV_TTL_SECONDS, Math.ceil((untilMs - nowMs) / 1000) + 1);
  await kv.put(key(destination), String(untilMs), { expirationTtl: ttl });
}
