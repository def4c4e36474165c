-- A replayed delivery gets the whole retry schedule again, not one attempt: the retry policy counts
-- attempts from attempt_base, the attempts made before the last replay. `attempts` keeps counting
-- from where it was, so every attempt keeps its own number in `attempts`' key.
ALTER TABLE deliveries ADD COLUMN attempt_base INTEGER NOT NULL DEFAULT 0;
