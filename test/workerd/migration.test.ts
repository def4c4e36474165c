// Migration 0004 moves data of the one-destination schema forward: each event that reached the
// CRM gets its `crm` delivery with its attempts, and each person's CRM record id and creation lease
// move to person_destinations. Run on an empty database of its own, migrated step by step.
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('migration 0004 (deliveries)', () => {
  it('moves events, attempts and people of the old schema forward', async () => {
    const db = env.MIGRATION_DB;
    const before = env.TEST_MIGRATIONS.filter((m) => m.name < '0004');
    const deliveries = env.TEST_MIGRATIONS.filter((m) => m.name.startsWith('0004'));
    expect(deliveries).toHaveLength(1);
    await applyD1Migrations(db, before);

    const event = (id: string, status: string, personId: string | null, attempts: number) =>
      db
        .prepare(
          `INSERT INTO events (id, source, idempotency_key, status, received_at, content_type, headers, body,
             attempts, enqueued_at, delivered_at, last_error, person_id)
           VALUES (?1, 'demo', ?1, ?2, 1000, 'application/json', '{}', X'7B7D', ?4, 1000,
             CASE WHEN ?2 = 'delivered' THEN 2000 END, CASE WHEN ?2 = 'dead' THEN 'client_error: HTTP 400' END, ?3)`,
        )
        .bind(id, status, personId, attempts);
    await db.batch([
      event('evt_delivered', 'delivered', 'per_a', 2),
      event('evt_dead', 'dead', 'per_b', 1),
      event('evt_retrying', 'retrying', 'per_a', 1),
      event('evt_queued', 'queued', null, 0),
      event('evt_invalid', 'invalid', null, 1),
      event('evt_lookup_dead', 'dead', null, 3),
      db.prepare(
        `INSERT INTO attempts (event_id, attempt, started_at, duration_ms, http_status, error_class, reason, retry_in_s)
         VALUES ('evt_delivered', 1, 1100, 5, 500, 'server_error', 'HTTP 500', 30),
                ('evt_delivered', 2, 1200, 5, 201, 'ok', 'HTTP 201', NULL)`,
      ),
      db.prepare(
        `INSERT INTO people (id, email_key, phone_key, crm_record_id, first_seen, last_seen, deliveries, creating_until, creating_by)
         VALUES ('per_a', 'ka', NULL, 'crm_7', 1000, 2000, 1, NULL, NULL),
                ('per_b', 'kb', NULL, NULL, 1000, 1000, 0, 5000, 'evt_dead'),
                ('per_c', 'kc', NULL, NULL, 1000, 1000, 0, NULL, NULL)`,
      ),
    ]);

    await applyD1Migrations(db, deliveries);

    const { results: rows } = await db
      .prepare(
        'SELECT event_id, destination, status, attempts, delivered_at, last_error FROM deliveries ORDER BY event_id',
      )
      .all();
    expect(rows).toEqual([
      {
        event_id: 'evt_dead',
        destination: 'crm',
        status: 'dead',
        attempts: 1,
        delivered_at: null,
        last_error: 'client_error: HTTP 400',
      },
      {
        event_id: 'evt_delivered',
        destination: 'crm',
        status: 'delivered',
        attempts: 2,
        delivered_at: 2000,
        last_error: null,
      },
      {
        event_id: 'evt_retrying',
        destination: 'crm',
        status: 'retrying',
        attempts: 1,
        delivered_at: null,
        last_error: null,
      },
    ]);
    const statuses = await db
      .prepare('SELECT id, status FROM events ORDER BY id')
      .all<{ id: string; status: string }>();
    expect(Object.fromEntries(statuses.results.map((r) => [r.id, r.status]))).toEqual({
      evt_dead: 'dead',
      evt_delivered: 'delivered',
      evt_invalid: 'invalid',
      evt_lookup_dead: 'dead',
      evt_queued: 'queued',
      evt_retrying: 'delivering',
    });
    const attempts = await db
      .prepare('SELECT event_id, destination, attempt, http_status FROM attempts ORDER BY attempt')
      .all();
    expect(attempts.results).toEqual([
      { event_id: 'evt_delivered', destination: 'crm', attempt: 1, http_status: 500 },
      { event_id: 'evt_delivered', destination: 'crm', attempt: 2, http_status: 201 },
    ]);
    const records = await db.prepare('SELECT * FROM person_destinations ORDER BY person_id').all();
    expect(records.results).toEqual([
      {
        person_id: 'per_a',
        destination: 'crm',
        record_id: 'crm_7',
        deliveries: 1,
        creating_until: null,
        creating_by: null,
      },
      {
        person_id: 'per_b',
        destination: 'crm',
        record_id: null,
        deliveries: 0,
        creating_until: 5000,
        creating_by: 'evt_dead',
      },
    ]);
    const columns = await db
      .prepare('SELECT name FROM pragma_table_info(?1)')
      .bind('people')
      .all<{ name: string }>();
    expect(columns.results.map((c) => c.name)).not.toContain('crm_record_id');

    // The migrations after it apply on the migrated data too.
    await applyD1Migrations(
      db,
      env.TEST_MIGRATIONS.filter((m) => m.name > '0004'),
    );
    const later = await db
      .prepare('SELECT person_id, maybe_created FROM person_destinations ORDER BY person_id')
      .all();
    expect(later.results).toEqual([
      { person_id: 'per_a', maybe_created: 0 },
      { person_id: 'per_b', maybe_created: 0 },
    ]);
  });
});
