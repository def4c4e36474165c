/**
 * Alerts: what went wrong, grouped so a burst of failures is a handful of messages. A group is
 * one (kind, source, destination, error class); its first failure is posted at once, later ones
 * are counted and summarised once per window, and the group closes with a recovery message.
 */

export const ALERT_KINDS = [
  /** A delivery that used up its attempts (or whose message kept failing: the dead-letter queue). */
  'dead',
  /** A lead the destination refused (its validation): dead at once, with the CRM's reason code. */
  'refused',
  /** A destination paused by a configuration error or a sustained outage. */
  'paused',
  /** Invalid leads from one source above a threshold: its mapping or the sender broke. */
  'invalid_burst',
  /** Verification failures on one source above a threshold: a rotated or wrong secret. */
  'verification_burst',
  /** Deliveries waiting longer than a threshold: the backlog grows faster than it drains. */
  'backlog',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** What one message of a group says. */
export type AlertMessageKind =
  /** The group's first failure, posted at once. */
  | 'opened'
  /** More of the same since the last message: "412 more since 10:02". */
  | 'summary'
  /** The group is over: the destination resumed, or no new failure for a whole window. */
  | 'recovered';

/** One failure as an alert shows it: ids and codes, and the lead masked. Never a payload. */
export interface AlertSample {
  eventId: string;
  /** `j***@acme.com`, `+44 ****** 789`: enough to recognise, not enough to contact. */
  maskedEmail?: string;
  maskedPhone?: string;
  httpStatus?: number | null;
  /** The destination's reason code, PII-free (`HTTP 400 VALIDATION_ERROR INVALID_EMAIL (email)`). */
  reason?: string;
  attempts?: number;
  /** For a destination's configuration error: the secret holding its credential. */
  credentialVar?: string;
}

/** A group as the formatter sees it. */
export interface AlertGroupView {
  /** Stable id of the group (used in the replay button and the admin URL). */
  id: string;
  kind: AlertKind;
  source: string | null;
  destination: string | null;
  errorClass: string | null;
  /** Failures in the group so far, and how many the previous messages already told. */
  count: number;
  toldCount: number;
  firstAt: number;
  lastAt: number;
  /** Since when the failures this message reports happened (the previous message's time). */
  sinceAt: number;
  sample: AlertSample | null;
  /** Events that can be replayed from the message (dead and refused deliveries). */
  replayableCount: number;
}

/** Where an operator acts from a message: the admin URL and the command. */
export interface AlertLinks {
  /** Base URL of the gateway's admin API, e.g. `https://inlet.example.workers.dev`. */
  adminBaseUrl: string;
}

/** A Slack incoming-webhook body: Block Kit with a plain `text` fallback. */
export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}
