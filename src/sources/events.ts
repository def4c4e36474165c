/**
 * What a delivery of a source is, from its event type: a lead, an update of a known person, or
 * not a lead at all. Pure: the policy is the source type's default with the configuration's
 * overrides (src/sources/registry.ts).
 */
import type { EventKind, EventPolicy } from './types';

export function eventKind(policy: EventPolicy, eventType: string | undefined): EventKind {
  if (eventType !== undefined && Object.hasOwn(policy.types, eventType)) return policy.types[eventType]!;
  return policy.other;
}
