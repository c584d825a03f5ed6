import type { Migration } from './migration';

/**
 * Finding people by the start of their username (`GET /api/users?prefix=`).
 *
 * `users_username_key` follows the database's collation, under which a range
 * `username >= 'ab' AND username < 'ac'` is not "starts with ab" (en_US
 * ignores `_` at the first level) and `LIKE 'ab%'` cannot use it. This index
 * is on `username COLLATE "C"` (byte order: usernames are [a-z0-9_]), so a
 * prefix is one index range and the results come back in that order, which
 * the keyset cursor (the last username) relies on. One index per server:
 * every server holds the users whose username hashes to its shards.
 */
export const usernamePrefix: Migration = {
  version: 6,
  name: 'username-prefix',
  sql: `
CREATE INDEX users_username_c_idx ON users ((username COLLATE "C"));
`,
};
