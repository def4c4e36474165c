/**
 * What every signature scheme sees and answers. Verifiers are pure: they touch no binding, so
 * they are unit-tested in Node against the providers' own signing libraries and reused by the
 * benchmarks.
 */
import type { Bytes } from './crypto';

/** The request exactly as received: verification must run on these bytes, before any parsing. */
export interface InboundRequest {
  method: string;
  /** The full URL as called, query string included (Twilio, Mandrill and HubSpot sign it). */
  url: string;
  headers: Headers;
  body: Bytes;
}

export interface VerifyContext {
  /** Every secret currently valid for the source: more than one during a key rotation. */
  secrets: readonly string[];
  /** Milliseconds since the epoch; injected so tests can sign at a chosen time. */
  nowMs: number;
}

/**
 * Why a request was rejected. For logs and tests only: the HTTP answer is the same for all of
 * them, so an attacker learns nothing about which part failed.
 */
export type VerifyFailure =
  | 'missing_header'
  | 'malformed_signature'
  | 'timestamp_out_of_tolerance'
  | 'no_matching_signature'
  | 'no_secret_configured';

export type VerifyResult =
  | {
      ok: true /** The provider's delivery or message id, when its headers carry one. */;
      deliveryId?: string;
      /**
       * When the delivery id is not covered by the signature: a key for the signed content, so
       * the same signed request under another id within `windowMs` is a replay, not a new event.
       */
      replay?: { key: string; windowMs: number };
    }
  | { ok: false; reason: VerifyFailure };

export interface Verifier {
  /** Scheme name for logs and docs, e.g. `standard-webhooks`. */
  readonly scheme: string;
  verify(request: InboundRequest, context: VerifyContext): Promise<VerifyResult>;
}

/** A reply to a provider's verification handshake, which is answered and never stored as an event. */
export interface HandshakeReply {
  status: number;
  contentType: string;
  body: string;
}
