/**
 * The one list of statuses, for events and for deliveries (one event × one destination). The
 * types, the final sets, the admin filters and the SQL are all derived from these lists, so a
 * status cannot be known to one and missing from another.
 */

export const EVENT_STATUSES = {
  /** Stored, waiting for the consumer to map and route it. */
  queued: { final: false },
  /** A consumer is mapping and routing it (under a lease). */
  routing: { final: false },
  /** Its deliveries are under way. */
  delivering: { final: false },
  /** Every delivery delivered. */
  delivered: { final: true },
  /** Some deliveries delivered, some dead. */
  partial: { final: true },
  /** Every delivery dead, or the lead could not be fetched before the last attempt. */
  dead: { final: true },
  /** The lead has no valid contact, or its mapping failed: kept for a replay after a fix. */
  invalid: { final: true },
  /** Folded into another event's delivery by the merge window. */
  merged: { final: true },
  /** No route matched: kept, and delivered by a replay once a route is configured. */
  unrouted: { final: true },
  /**
   * Not a lead (a ping, a deletion, a test button, or a type the source's policy ignores): answered
   * 2xx, kept with its event type, never delivered.
   */
  ignored: { final: true },
} as const satisfies Record<string, { final: boolean }>;

export const DELIVERY_STATUSES = {
  queued: { final: false },
  delivering: { final: false },
  retrying: { final: false },
  /** Parked while its destination is paused: no attempt is made, none is used up. */
  paused: { final: false },
  delivered: { final: true },
  dead: { final: true },
} as const satisfies Record<string, { final: boolean }>;

export type EventStatus = keyof typeof EVENT_STATUSES;
export type DeliveryStatus = keyof typeof DELIVERY_STATUSES;

const keys = <T extends Record<string, { final: boolean }>>(table: T, final?: boolean) =>
  (Object.keys(table) as (keyof T & string)[]).filter(
    (key) => final === undefined || table[key]!.final === final,
  );

export const EVENT_STATUS_LIST = keys(EVENT_STATUSES) as [EventStatus, ...EventStatus[]];
export const FINAL_EVENT_STATUSES = keys(EVENT_STATUSES, true) as EventStatus[];
export const DELIVERY_STATUS_LIST = keys(DELIVERY_STATUSES) as [DeliveryStatus, ...DeliveryStatus[]];
export const FINAL_DELIVERY_STATUSES = keys(DELIVERY_STATUSES, true) as DeliveryStatus[];

/** `'a', 'b'` for an SQL `IN (...)`: the lists are constants of this file, never input. */
export const sqlList = (statuses: readonly string[]): string => statuses.map((s) => `'${s}'`).join(', ');

/** The funnel's stages (src/store/stats.ts): every status not final is one stage, `pending`. */
type FinalEventStatus = {
  [K in EventStatus]: (typeof EVENT_STATUSES)[K]['final'] extends true ? K : never;
}[EventStatus];
export const FUNNEL_STAGES = ['pending', ...(FINAL_EVENT_STATUSES as FinalEventStatus[])] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];
/** The statuses the stats triggers of migration 0008 count as `pending`. */
export const PENDING_STATUSES = EVENT_STATUS_LIST.filter((s) => !FINAL_EVENT_STATUSES.includes(s));

export const isFinalEvent = (status: EventStatus): boolean => EVENT_STATUSES[status].final;
