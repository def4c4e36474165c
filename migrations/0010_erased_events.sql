-- The ids of erased events (an id is not personal data): a queue message that carried an event
-- (src/pipeline/accept.ts) and comes back after its erasure must not store it again.
CREATE TABLE erased_events (
  id        TEXT PRIMARY KEY,
  erased_at INTEGER NOT NULL
);
