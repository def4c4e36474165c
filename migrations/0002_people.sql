-- One row per person Inlet has seen, keyed by hashed identifiers only: the index holds no contact data.
CREATE TABLE people (
  id               TEXT PRIMARY KEY,          -- per_<time-ordered id>
  email_key        TEXT UNIQUE,               -- sha256 hex of 'email:<normalised email>'
  phone_key        TEXT UNIQUE,               -- sha256 hex of 'phone:<E.164>'
  crm_record_id    TEXT,                      -- the destination's id for this person, once it answered one
  first_seen       INTEGER NOT NULL,          -- ms
  last_seen        INTEGER NOT NULL,          -- ms
  deliveries       INTEGER NOT NULL DEFAULT 0,
  -- Only one event may create the person in the CRM: it holds this lease while it tries.
  creating_until   INTEGER,
  -- Merge window: the event collecting this person's repeats, and when it fires.
  pending_event_id TEXT,
  pending_until    INTEGER
);

ALTER TABLE events ADD COLUMN person_id TEXT;
-- Set on an event folded into another one's delivery (status 'merged').
ALTER TABLE events ADD COLUMN merged_into TEXT;
CREATE INDEX events_merged_into ON events (merged_into) WHERE merged_into IS NOT NULL;
