-- Which event holds the creation lease, so the same event (back after a merge window) can take it again.
ALTER TABLE people ADD COLUMN creating_by TEXT;
