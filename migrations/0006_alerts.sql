-- Alert groups: one open group per (kind, source, destination, error class). Its first failure is
-- posted at once; later ones are counted and summarised once per window; a quiet window (or the
-- destination's resume) closes it with a recovery message. Kept in D1, not KV, so concurrent
-- consumers count into one group and post its first message once.
CREATE TABLE alert_groups (
  id          TEXT PRIMARY KEY,                 -- alg_<time-ordered id>
  key         TEXT NOT NULL,                    -- kind|source|destination|error_class
  kind        TEXT NOT NULL,
  source      TEXT,
  destination TEXT,
  error_class TEXT,
  status      TEXT NOT NULL,                    -- open | closed
  count       INTEGER NOT NULL,
  told_count  INTEGER NOT NULL DEFAULT 0,       -- failures the messages so far reported
  first_at    INTEGER NOT NULL,
  last_at     INTEGER NOT NULL,
  told_at     INTEGER,                          -- when the last message was posted
  post_at     INTEGER NOT NULL DEFAULT 1,       -- the count at which the first message is due
  sample      TEXT,                             -- JSON: ids, codes, masked lead; never a payload
  closed_at   INTEGER
);
CREATE UNIQUE INDEX alert_groups_open ON alert_groups (key) WHERE status = 'open';
CREATE INDEX alert_groups_status ON alert_groups (status, last_at);

-- The deliveries a group is about, so its "Replay these N events" button replays exactly them.
CREATE TABLE alert_events (
  group_id    TEXT NOT NULL,
  event_id    TEXT NOT NULL,
  destination TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (group_id, event_id, destination)
);

-- Messages to post, per channel, each with the counts it reports (taken when it was written, so
-- every channel tells the same numbers). A message is deleted only once its channel took it: a
-- Slack or email outage delays alerts but loses none, and no summary goes missing.
CREATE TABLE alert_outbox (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id     TEXT NOT NULL,
  channel      TEXT NOT NULL,
  message_kind TEXT NOT NULL,                   -- opened | summary | recovered
  from_count   INTEGER NOT NULL,                -- the group's count the previous message reported
  to_count     INTEGER NOT NULL,                -- the group's count this message reports
  since_at     INTEGER NOT NULL,                -- when the failures it reports started
  created_at   INTEGER NOT NULL,
  next_at      INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT,
  UNIQUE (group_id, channel, message_kind, created_at)
);
CREATE INDEX alert_outbox_due ON alert_outbox (next_at);
