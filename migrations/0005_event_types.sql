-- The provider's event type (`invitee.canceled`, `PING`, `contact.deletion`), so events that are not
-- leads are kept as `ignored` with what they were, visible and countable, and never delivered.
ALTER TABLE events ADD COLUMN event_type TEXT;
