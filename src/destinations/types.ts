/**
 * The one small interface every destination adapter implements: take a group of leads bound for
 * it, deliver them, and classify each outcome. Adapters talk HTTP and nothing else: they never
 * touch D1 or the queue, so the pipeline decides retries, pauses and record ids in one place.
 */
import type { Lead } from '../leads/lead';
import type { ErrorClass } from '../lib/outcome';

/** One delivery: one event's lead for this destination. */
export interface DeliveryRequest {
  /** The event id: the same on every attempt, so a destination can drop a repeat (`webhook-id`). */
  eventId: string;
  source: string;
  receivedAt: number;
  lead: Lead;
  person: {
    /** Inlet's id for the person (`per_…`), stable across sources and destinations. */
    id: string;
    /** This destination's id for the person, once it answered one. */
    recordId: string | null;
    /** `create` until this destination has had a lead of this person delivered, then `update`. */
    action: 'create' | 'update';
  };
  /** Events folded into this delivery by the merge window. */
  mergedEventIds: readonly string[];
}

/**
 * One input's outcome. Inputs decided by one call (a batch call's failure, or the halt the rest of a
 * group is answered with unsent) share one object: the circuit counts calls, not leads.
 */
export interface DeliveryOutcome {
  errorClass: ErrorClass;
  /** The status of the answer that decided the outcome; null when none came (network, timeout). */
  httpStatus: number | null;
  /**
   * Short and PII-free: the status and the destination's own reason code, such as
   * `HTTP 400 VALIDATION_ERROR INVALID_EMAIL (email)`. Never a response body or a lead value.
   */
  reason: string;
  retryAfterSeconds?: number;
  /** The destination's id for the person, when it named one (created, found or updated). */
  recordId?: string;
  /**
   * The destination's rate-limit headers say its budget is nearly spent: hold its deliveries this
   * many seconds, before it has to answer 429.
   */
  paceSeconds?: number;
  durationMs: number;
}

export interface DeliveryContext {
  nowMs: number;
  /** Per HTTP call. */
  timeoutMs: number;
  /** For caches that are worth sharing across isolates (an OAuth token); optional. */
  kv?: KVNamespace;
}

export type DestinationType = 'webhook' | 'hubspot' | 'pipedrive' | 'salesforce';

export interface Destination {
  readonly name: string;
  readonly type: DestinationType;
  /**
   * Delivers the group and answers one outcome per request, in the same order. Never throws for
   * anything the destination or the network does: a failure is an outcome. The pipeline passes at
   * most one request per person in a group.
   */
  deliver(requests: readonly DeliveryRequest[], context: DeliveryContext): Promise<DeliveryOutcome[]>;
}
