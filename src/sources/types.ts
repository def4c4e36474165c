/**
 * A source, built from its entry in inlet.config.ts: how its requests are verified, the schema of
 * its payload, how that payload maps to a lead, and how a redelivery is recognised. Where its leads
 * go is the routes' business (src/pipeline/route.ts). Secrets never live here: a source names the
 * Worker secret that holds them.
 */
import type * as v from 'valibot';
import type { LeadInput } from '../leads/lead';
import type { HandshakeReply, InboundRequest, Verifier, VerifyContext } from '../verify/types';

/** A provider's way of signing and greeting: shared by every source that uses that provider. */
export interface Preset {
  /** Stable name, used in docs and logs: `stripe`, `github`, `standard-webhooks`, ... */
  readonly name: string;
  readonly verifier: Verifier;
  /**
   * Answered before verification, for handshakes that are not signed: Meta's GET `hub.challenge`,
   * Mailchimp's probe. `verifyToken` is the source's configured verify token, if any.
   * Returns the reply, `null` when the request is a handshake that must be refused (403
   * `handshake_rejected`), or `undefined` when it is no handshake at all.
   */
  challenge?(
    request: InboundRequest,
    verifyToken: string | undefined,
  ): Promise<HandshakeReply | null | undefined>;
  /** Answered after verification, for signed handshakes: Zoom's `endpoint.url_validation`, Slack's `url_verification`. */
  handshake?(payload: unknown, context: VerifyContext): Promise<HandshakeReply | undefined>;
  /** The provider's own event or delivery id, when it is in the payload or a header the verifier did not return. */
  idempotencyKey?(request: InboundRequest, payload: unknown): string | undefined;
}

export interface Source<Schema extends v.GenericSchema = v.GenericSchema> {
  readonly name: string;
  readonly preset: Preset;
  /** Worker secret holding the source's secrets; several, separated by spaces, during a rotation. */
  readonly secretVar: string;
  /** Worker secret holding the verify token of a GET handshake (Meta). */
  readonly verifyTokenVar?: string;
  readonly schema: Schema;
  /**
   * Maps a valid payload to a lead. Pure for every source but one: Meta Lead Ads carry only an id,
   * so Meta's mapping reads the lead from the Graph API first (src/enrich/meta-graph.ts), using
   * `env` for its token and URL.
   */
  toLead(payload: v.InferOutput<Schema>, env: Env): LeadInput | Promise<LeadInput>;
  /**
   * For providers that batch several events in one webhook (Meta, HubSpot app webhooks): splits
   * the parsed body into one payload per event, each stored, deduped and delivered as its own
   * event. Throws an InletError 422 when the envelope itself is malformed.
   */
  split?(payload: unknown): unknown[];
  /** The provider's event type of one payload (`invitee.canceled`, `PING`), read before validation. */
  eventType?(payload: unknown): string | undefined;
  /** What each event type is: a lead, an update of a known person, or not a lead at all. */
  readonly events: EventPolicy;
  /**
   * How long a redelivery is recognised by the hash of its body when the provider sends no id of
   * its own: a real repeat submission later is a new event.
   */
  readonly dedupeWindowMs: number;
  /** Region for phones written without a country code (ISO 3166-1 alpha-2). */
  readonly defaultRegion?: string;
}

/** Keeps the payload type flowing from `schema` into `toLead`, and fills the policy defaults. */
export const defineSource = <Schema extends v.GenericSchema>(
  source: Omit<Source<Schema>, 'events' | 'dedupeWindowMs'> & Partial<Pick<Source<Schema>, 'events'>>,
): Source<Schema> => ({ events: ALL_LEADS, dedupeWindowMs: DEFAULT_DEDUPE_WINDOW_MS, ...source });

/** A body-hash key recognises a redelivery for a day by default. */
export const DEFAULT_DEDUPE_WINDOW_MS = 24 * 3600 * 1000;

/**
 * `lead`: mapped and delivered (created or updated in each destination); `update`: delivered only
 * where the person already has a record (a cancellation updates it, never creates one); `ignore`:
 * answered 2xx and kept as `ignored`.
 */
export type EventKind = 'lead' | 'update' | 'ignore';

export interface EventPolicy {
  /** By event type. */
  readonly types: Readonly<Record<string, EventKind>>;
  /** A type not listed, or a payload with no type. */
  readonly other: EventKind;
}

/** Leads only, whatever the type says: sources whose every delivery is a submission. */
export const ALL_LEADS: EventPolicy = { types: {}, other: 'lead' };

/** What a source type needs from its configuration entry to become a source. */
export interface SourceOptions {
  secretVar: string;
  defaultRegion?: string;
}

/** A source type (`typeform`, `flat`, ...): builds the source a configuration entry names. */
export type SourceFactory = (name: string, options: SourceOptions) => Source;
