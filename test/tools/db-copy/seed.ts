import { Client } from 'pg';
import { migrate } from '../../../api/src/db/migrate';

/**
 * Fills a source database the way production would look: the API's real
 * schema (its migrations) with users, photos, follow edges and likes, plus objects
 * the API does not use today but a schema-generic copy must handle (enum,
 * identity and serial columns, a table without a primary key, a foreign key,
 * a view, a trigger, awkward values: NULLs, quotes, unicode, bytea, jsonb,
 * arrays, microsecond timestamps, numerics).
 */
export async function seedSource(url: string, users = 2000): Promise<void> {
  await migrate(url);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      INSERT INTO users (id, username, password_hash, photo_count, created_at)
        SELECT graminsta_next_id(i % 4096), 'user_' || i, 'scrypt$' || md5(i::text), 3, timestamptz '2026-01-02 03:04:05.123456+00' + i * interval '1 second'
          FROM generate_series(1, ${users}) i;
      INSERT INTO photos (id, user_id, caption, content_type, size, status)
        SELECT graminsta_next_id(((u.id >> 10) & 4095)::int), u.id, 'caption ' || n || E' with ''quotes'', "double" and ünïcødé ✓', 'image/jpeg', 1000 + n, 'ready'
          FROM users u CROSS JOIN generate_series(1, 3) n;
      INSERT INTO following (follower_id, followee_id) SELECT a.id, b.id FROM users a JOIN users b ON b.id <> a.id AND (a.id # b.id) % 97 = 0;
      INSERT INTO followers (followee_id, follower_id) SELECT followee_id, follower_id FROM following;
      INSERT INTO likes (photo_id, user_id) SELECT p.id, u.id FROM photos p JOIN users u ON (p.id + u.id) % 501 = 0;

      CREATE TYPE mood AS ENUM ('happy', 'sad', 'it''s complicated');
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id bigint REFERENCES users (id),
        mood mood,
        payload jsonb,
        raw bytea,
        tags text[],
        amount numeric(12, 4),
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      INSERT INTO audit_log (user_id, mood, payload, raw, tags, amount)
        SELECT id, (ARRAY['happy', 'sad', 'it''s complicated']::mood[])[1 + (id % 3)::int], jsonb_build_object('n', id, 'nested', jsonb_build_array(1, 'two', null)),
               CASE WHEN id % 5 = 0 THEN NULL ELSE decode(md5(id::text), 'hex') END, ARRAY['a', 'b,c', NULL], (id % 10000) / 7.0
          FROM users;
      CREATE TABLE counters (id serial PRIMARY KEY, name text UNIQUE, hits integer NOT NULL DEFAULT 0);
      INSERT INTO counters (name, hits) SELECT 'counter ' || i, i FROM generate_series(1, 50) i;
      CREATE TABLE keyless_events (kind text, happened_at timestamp);
      INSERT INTO keyless_events SELECT 'kind ' || (i % 3), timestamp '2026-05-06 07:08:09.654321' + i * interval '1 minute' FROM generate_series(1, 120) i;
      CREATE VIEW ready_photos AS SELECT id, user_id FROM photos WHERE status = 'ready';
      CREATE FUNCTION touch_counter() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.hits := NEW.hits + 1; RETURN NEW; END $$;
      CREATE TRIGGER counters_touch BEFORE UPDATE ON counters FOR EACH ROW EXECUTE FUNCTION touch_counter();
    `);
  } finally {
    await client.end();
  }
}
