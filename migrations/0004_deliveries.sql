-- Deliveries: one event × one destination, the unit of work. Each has its own status, attempts,
-- backoff and replay; the event's status summarises its deliveries. Existing data moves forward:
-- every event that reached the one destination Inlet had ('crm') gets its delivery row.
CREATE TABLE deliveries (
  event_id        TEXT NOT NULL REFERENCES events (id),
  destination     TEXT NOT NULL,                 -- a name from inlet.config.ts
  -- queued | delivering | retrying | paused | delivered | dead (src/pipeline/status.ts)
  status          TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  lease_until     INTEGER,                       -- a consumer holds it until then (ms)
  next_attempt_at INTEGER,                       -- not attempted again before then (ms)
  enqueued_at     INTEGER NOT NULL,
  delivered_at    INTEGER,
  last_error      TEXT,                          -- error class and the destination's reason code, never PII
  record_id       TEXT,                          -- the destination's id for the person, as it answered
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (event_id, destination)
);
CREATE INDEX deliveries_destination_status ON deliveries (destination, status);
CREATE INDEX deliveries_status_enqueued ON deliveries (status, enqueued_at);

INSERT INTO deliveries (event_id, destination, status, attempts, enqueued_at, delivered_at, last_error, created_at)
SELECT id, 'crm',
       CASE status WHEN 'delivered' THEN 'delivered' WHEN 'dead' THEN 'dead' ELSE 'retrying' END,
       attempts, enqueued_at, delivered_at, last_error, received_at
FROM events
WHERE person_id IS NOT NULL AND status IN ('delivered', 'dead', 'retrying', 'delivering');

-- An event whose deliveries are under way is 'delivering'; 'retrying' is now a delivery's status.
UPDATE events SET status = 'delivering', lease_until = NULL WHERE status = 'retrying';

-- Attempts belong to a delivery now.
CREATE TABLE delivery_attempts (
  event_id     TEXT NOT NULL,
  destination  TEXT NOT NULL,
  attempt      INTEGER NOT NULL,
  started_at   INTEGER NOT NULL,
  duration_ms  INTEGER NOT NULL,
  http_status  INTEGER,
  error_class  TEXT NOT NULL,
  reason       TEXT,
  retry_in_s   INTEGER,
  PRIMARY KEY (event_id, destination, attempt)
);
INSERT INTO delivery_attempts
SELECT event_id, 'crm', attempt, started_at, duration_ms, http_status, error_class, reason, retry_in_s FROM attempts;
DROP TABLE attempts;
ALTER TABLE delivery_attempts RENAME TO attempts;

-- A person's record in each destination: its id there, how many leads it got, and the creation
-- lease (only one event may create the person in a given destination at a time).
CREATE TABLE person_destinations (
  person_id      TEXT NOT NULL,
  destination    TEXT NOT NULL,
  record_id      TEXT,
  deliveries     INTEGER NOT NULL DEFAULT 0,
  creating_until INTEGER,
  creating_by    TEXT,
  PRIMARY KEY (person_id, destination)
);
INSERT INTO person_destinations (person_id, destination, record_id, deliveries, creating_until, creating_by)
SELECT id, 'crm', crm_record_id, deliveries, creating_until, creating_by FROM people
WHERE crm_record_id IS NOT NULL OR deliveries > 0 OR creating_until IS NOT NULL;
ALTER TABLE people DROP COLUMN crm_record_id;
ALTER TABLE people DROP COLUMN deliveries;
ALTER TABLE people DROP COLUMN creating_until;
ALTER TABLE people DROP COLUMN creating_by;

-- Health per destination, consistent for every consumer: paused (by a configuration error, a
-- sustained outage or an operator) with its probe schedule, a hold (rate limit, Retry-After), and
-- the run of transient failures that opens the circuit.
CREATE TABLE destination_health (
  destination      TEXT PRIMARY KEY,
  paused_at        INTEGER,
  paused_by        TEXT,                         -- config | outage | operator
  paused_reason    TEXT,                         -- error class and reason code, never PII
  probe_at         INTEGER,                      -- a paused destination is tried with one delivery then
  probe_interval_s INTEGER,
  hold_until       INTEGER,
  failure_streak   INTEGER NOT NULL DEFAULT 0,
  last_success_at  INTEGER,
  last_failure_at  INTEGER,
  updated_at       INTEGER NOT NULL
);

CREATE INDEX events_status ON events (status, id);
