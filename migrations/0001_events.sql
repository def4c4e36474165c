-- Every accepted webhook, kept as received so it can be inspected and replayed.
CREATE TABLE events (
  id              TEXT PRIMARY KEY,            -- evt_<time-ordered id>
  source          TEXT NOT NULL,
  -- The provider's delivery/event id, or sha256 of the body: a redelivery has the same key.
  idempotency_key TEXT NOT NULL,
  -- queued | delivering | retrying | delivered | dead | invalid
  status          TEXT NOT NULL,
  received_at     INTEGER NOT NULL,            -- ms since epoch
  content_type    TEXT NOT NULL,
  headers         TEXT NOT NULL,               -- JSON, credentials redacted
  body            BLOB NOT NULL,               -- raw bytes as received (up to MAX_BODY_BYTES)
  lead            TEXT,                        -- normalised lead (JSON), once mapped
  attempts        INTEGER NOT NULL DEFAULT 0,
  enqueued_at     INTEGER NOT NULL,            -- last time a queue message was sent for it
  lease_until     INTEGER,                     -- a consumer holds it until then (ms)
  delivered_at    INTEGER,
  last_error      TEXT,                        -- error class and short reason, never PII
  -- D1 is the source of truth for dedupe: the second insert of a key is a redelivery.
  UNIQUE (source, idempotency_key)
);

-- The sweep looks for events that were stored but never picked up.
CREATE INDEX events_status_enqueued ON events (status, enqueued_at);
CREATE INDEX events_received ON events (received_at);

-- One row per delivery attempt to a destination.
CREATE TABLE attempts (
  event_id     TEXT NOT NULL REFERENCES events (id),
  attempt      INTEGER NOT NULL,
  started_at   INTEGER NOT NULL,               -- ms
  duration_ms  INTEGER NOT NULL,
  http_status  INTEGER,                        -- null when no response (network, timeout)
  error_class  TEXT NOT NULL,                  -- ok | network | timeout | rate_limited | server_error | request_timeout | client_error | ...
  reason       TEXT,                           -- short, PII-free
  retry_in_s   INTEGER,                        -- delay chosen before the next attempt
  PRIMARY KEY (event_id, attempt)
);
