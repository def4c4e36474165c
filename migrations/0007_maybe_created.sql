-- A create that ended without a success after an answer was lost may have created the person:
-- the next lead of that person then updates (a destination with search finds the record; a
-- webhook receiver updates by email) instead of creating a second record.
ALTER TABLE person_destinations ADD COLUMN maybe_created INTEGER NOT NULL DEFAULT 0;
