-- The operator's surface: search by campaign and person, the lead as mapped before normalisation,
-- retention, bulk replay jobs, and the stats rollups that triggers keep exact as events change.

-- Set by routing: the lead's campaign (its `campaign`, else `utm.campaign`), for search and the
-- funnel; and the lead as the source's mapping produced it, before normalisation.
ALTER TABLE events ADD COLUMN campaign TEXT;
ALTER TABLE events ADD COLUMN lead_input TEXT;
-- The id of the request that brought the event (cf-ray in production), written in every log line
-- about it from ingest to its last delivery attempt.
ALTER TABLE events ADD COLUMN request_id TEXT;
-- A key for the signed content of a request whose delivery id the signature does not cover
-- (GitHub, Shopify, Inlet HMAC v1): the same signed request under a fresh id is a replay.
ALTER TABLE events ADD COLUMN replay_key TEXT;
CREATE UNIQUE INDEX events_replay_key ON events (source, replay_key) WHERE replay_key IS NOT NULL;
-- Set when retention purged the payload, headers and leads (the row and its counts stay).
ALTER TABLE events ADD COLUMN purged_at INTEGER;

CREATE INDEX events_person ON events (person_id, id) WHERE person_id IS NOT NULL;
CREATE INDEX events_source ON events (source, id);
CREATE INDEX events_campaign ON events (campaign, id) WHERE campaign IS NOT NULL;
CREATE INDEX events_unpurged ON events (received_at) WHERE purged_at IS NULL;
CREATE INDEX attempts_event ON attempts (event_id);
CREATE INDEX events_event_type ON events (event_type, id) WHERE event_type IS NOT NULL;
-- Search by error class (the text before the first colon of `last_error`), on events and deliveries:
-- src/store/search.ts writes the same expression, which is what lets SQLite use these.
CREATE INDEX events_error_class ON events (substr(last_error, 1, instr(last_error, ':') - 1))
  WHERE last_error IS NOT NULL;
CREATE INDEX deliveries_error_class ON deliveries (substr(last_error, 1, instr(last_error, ':') - 1))
  WHERE last_error IS NOT NULL;

-- The source and campaign of a person's first lead: their cohort.
ALTER TABLE people ADD COLUMN first_source TEXT;
ALTER TABLE people ADD COLUMN first_campaign TEXT;

-- Bulk replay: a filter walked in id order in chunks through the queue. `upto_id` is the newest
-- event that existed when the job started (later events are not its business); `after_id` is the
-- last event a chunk handled, so a redelivered chunk message never replays an event twice.
CREATE TABLE replay_jobs (
  id                TEXT PRIMARY KEY,            -- rpj_<time-ordered id>
  idempotency_key   TEXT UNIQUE,
  status            TEXT NOT NULL,               -- running | done | canceled
  filter            TEXT NOT NULL,               -- JSON, the search filter
  include_delivered INTEGER NOT NULL DEFAULT 0,
  destination       TEXT,
  upto_id           TEXT NOT NULL,
  after_id          TEXT NOT NULL DEFAULT '',
  matched           INTEGER NOT NULL,
  replayed          INTEGER NOT NULL DEFAULT 0,
  skipped           INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  finished_at       INTEGER
);
CREATE INDEX replay_jobs_running ON replay_jobs (status, updated_at);

-- The funnel: events per received day, source, campaign and stage (pending while in flight, else
-- the final status). Kept by triggers in the same transaction as the change, so it is exact and
-- costs the Worker no extra round trip; erasure and retention delete or purge events without
-- touching it, so the counts outlive the data.
CREATE TABLE funnel_daily (
  day      TEXT NOT NULL,                        -- yyyy-mm-dd (UTC) of received_at
  source   TEXT NOT NULL,
  campaign TEXT NOT NULL,                        -- '' when none
  stage    TEXT NOT NULL,
  count    INTEGER NOT NULL,
  PRIMARY KEY (day, source, campaign, stage)
) WITHOUT ROWID;

CREATE TRIGGER events_funnel_insert AFTER INSERT ON events
BEGIN
  INSERT INTO funnel_daily (day, source, campaign, stage, count)
  VALUES (date(NEW.received_at / 1000, 'unixepoch'), NEW.source, COALESCE(NEW.campaign, ''),
          CASE WHEN NEW.status IN ('queued', 'routing', 'delivering') THEN 'pending' ELSE NEW.status END, 1)
  ON CONFLICT (day, source, campaign, stage) DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER events_funnel_update AFTER UPDATE OF status, campaign ON events
WHEN (CASE WHEN OLD.status IN ('queued', 'routing', 'delivering') THEN 'pending' ELSE OLD.status END)
       IS NOT (CASE WHEN NEW.status IN ('queued', 'routing', 'delivering') THEN 'pending' ELSE NEW.status END)
  OR COALESCE(OLD.campaign, '') IS NOT COALESCE(NEW.campaign, '')
BEGIN
  UPDATE funnel_daily SET count = count - 1
  WHERE day = date(OLD.received_at / 1000, 'unixepoch') AND source = OLD.source
    AND campaign = COALESCE(OLD.campaign, '')
    AND stage = CASE WHEN OLD.status IN ('queued', 'routing', 'delivering') THEN 'pending' ELSE OLD.status END;
  INSERT INTO funnel_daily (day, source, campaign, stage, count)
  VALUES (date(NEW.received_at / 1000, 'unixepoch'), NEW.source, COALESCE(NEW.campaign, ''),
          CASE WHEN NEW.status IN ('queued', 'routing', 'delivering') THEN 'pending' ELSE NEW.status END, 1)
  ON CONFLICT (day, source, campaign, stage) DO UPDATE SET count = count + 1;
END;

-- Requests refused before an event was stored, by reason: counted in memory per isolate and
-- flushed every few seconds (a flood of bad requests must not become a flood of writes).
CREATE TABLE rejections_daily (
  day    TEXT NOT NULL,
  source TEXT NOT NULL,                          -- '(unknown)' for a path naming no source
  code   TEXT NOT NULL,                          -- the problem code answered
  count  INTEGER NOT NULL,
  PRIMARY KEY (day, source, code)
) WITHOUT ROWID;

-- Ingest-to-delivered latency of each event's first delivery, as a histogram per day and source:
-- percentiles at any volume from a few dozen rows. `le_ms` is the bucket's upper bound; -1 is +Inf.
CREATE TABLE latency_daily (
  day    TEXT NOT NULL,                          -- yyyy-mm-dd (UTC) of delivered_at
  source TEXT NOT NULL,
  le_ms  INTEGER NOT NULL,
  count  INTEGER NOT NULL,
  PRIMARY KEY (day, source, le_ms)
) WITHOUT ROWID;

CREATE TRIGGER events_latency AFTER UPDATE OF delivered_at ON events
WHEN OLD.delivered_at IS NULL AND NEW.delivered_at IS NOT NULL
BEGIN
  INSERT INTO latency_daily (day, source, le_ms, count)
  VALUES (date(NEW.delivered_at / 1000, 'unixepoch'), NEW.source,
          CASE
            WHEN NEW.delivered_at - NEW.received_at <= 100 THEN 100
            WHEN NEW.delivered_at - NEW.received_at <= 250 THEN 250
            WHEN NEW.delivered_at - NEW.received_at <= 500 THEN 500
            WHEN NEW.delivered_at - NEW.received_at <= 1000 THEN 1000
            WHEN NEW.delivered_at - NEW.received_at <= 2500 THEN 2500
            WHEN NEW.delivered_at - NEW.received_at <= 5000 THEN 5000
            WHEN NEW.delivered_at - NEW.received_at <= 10000 THEN 10000
            WHEN NEW.delivered_at - NEW.received_at <= 30000 THEN 30000
            WHEN NEW.delivered_at - NEW.received_at <= 60000 THEN 60000
            WHEN NEW.delivered_at - NEW.received_at <= 300000 THEN 300000
            WHEN NEW.delivered_at - NEW.received_at <= 900000 THEN 900000
            WHEN NEW.delivered_at - NEW.received_at <= 3600000 THEN 3600000
            WHEN NEW.delivered_at - NEW.received_at <= 86400000 THEN 86400000
            ELSE -1
          END, 1)
  ON CONFLICT (day, source, le_ms) DO UPDATE SET count = count + 1;
END;

-- New people per ISO week (Monday) by the source and campaign of their first lead, and how many
-- came back in a later week.
CREATE TABLE cohorts_weekly (
  week     TEXT NOT NULL,                        -- yyyy-mm-dd of the Monday (UTC)
  source   TEXT NOT NULL,
  campaign TEXT NOT NULL,
  people   INTEGER NOT NULL DEFAULT 0,
  returned INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (week, source, campaign)
) WITHOUT ROWID;

CREATE TRIGGER people_cohort_insert AFTER INSERT ON people
BEGIN
  INSERT INTO cohorts_weekly (week, source, campaign, people)
  VALUES (date(NEW.first_seen / 1000, 'unixepoch', '-6 days', 'weekday 1'), COALESCE(NEW.first_source, ''),
          COALESCE(NEW.first_campaign, ''), 1)
  ON CONFLICT (week, source, campaign) DO UPDATE SET people = people + 1;
END;

CREATE TRIGGER people_cohort_returned AFTER UPDATE OF last_seen ON people
WHEN date(OLD.last_seen / 1000, 'unixepoch', '-6 days', 'weekday 1')
       = date(NEW.first_seen / 1000, 'unixepoch', '-6 days', 'weekday 1')
  AND date(NEW.last_seen / 1000, 'unixepoch', '-6 days', 'weekday 1')
       > date(NEW.first_seen / 1000, 'unixepoch', '-6 days', 'weekday 1')
BEGIN
  UPDATE cohorts_weekly SET returned = returned + 1
  WHERE week = date(NEW.first_seen / 1000, 'unixepoch', '-6 days', 'weekday 1')
    AND source = COALESCE(NEW.first_source, '') AND campaign = COALESCE(NEW.first_campaign, '');
END;

-- The data already held, counted into the rollups.
UPDATE events SET campaign = COALESCE(json_extract(lead, '$.campaign'), json_extract(lead, '$.utm.campaign'))
WHERE lead IS NOT NULL;
UPDATE people SET
  first_source = (SELECT e.source FROM events e WHERE e.person_id = people.id ORDER BY e.id LIMIT 1),
  first_campaign = (SELECT e.campaign FROM events e WHERE e.person_id = people.id ORDER BY e.id LIMIT 1);

DELETE FROM funnel_daily;
INSERT INTO funnel_daily (day, source, campaign, stage, count)
SELECT date(received_at / 1000, 'unixepoch'), source, COALESCE(campaign, ''),
       CASE WHEN status IN ('queued', 'routing', 'delivering') THEN 'pending' ELSE status END, count(*)
FROM events GROUP BY 1, 2, 3, 4;

INSERT INTO latency_daily (day, source, le_ms, count)
SELECT date(delivered_at / 1000, 'unixepoch'), source,
       CASE
         WHEN delivered_at - received_at <= 100 THEN 100
         WHEN delivered_at - received_at <= 250 THEN 250
         WHEN delivered_at - received_at <= 500 THEN 500
         WHEN delivered_at - received_at <= 1000 THEN 1000
         WHEN delivered_at - received_at <= 2500 THEN 2500
         WHEN delivered_at - received_at <= 5000 THEN 5000
         WHEN delivered_at - received_at <= 10000 THEN 10000
         WHEN delivered_at - received_at <= 30000 THEN 30000
         WHEN delivered_at - received_at <= 60000 THEN 60000
         WHEN delivered_at - received_at <= 300000 THEN 300000
         WHEN delivered_at - received_at <= 900000 THEN 900000
         WHEN delivered_at - received_at <= 3600000 THEN 3600000
         WHEN delivered_at - received_at <= 86400000 THEN 86400000
         ELSE -1
       END, count(*)
FROM events WHERE delivered_at IS NOT NULL GROUP BY 1, 2, 3;

INSERT INTO cohorts_weekly (week, source, campaign, people, returned)
SELECT date(first_seen / 1000, 'unixepoch', '-6 days', 'weekday 1'), COALESCE(first_source, ''),
       COALESCE(first_campaign, ''), count(*),
       sum(date(last_seen / 1000, 'unixepoch', '-6 days', 'weekday 1')
           > date(first_seen / 1000, 'unixepoch', '-6 days', 'weekday 1'))
FROM people GROUP BY 1, 2, 3;
