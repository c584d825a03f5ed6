import { evenShardRanges } from '../../../contracts/shard-map';
import { shardForUsername } from '../../../contracts/ids';
import { call, uniqueName } from './http';

/** The password every user made here signs up with. */
export const SHARD_USER_PASSWORD = 'password123';

/** The sharded tables and the column whose ID gives a row's home shard (docs/sharding.md). */
export const SHARD_HOMES: readonly [table: string, column: string][] = [
  ['users', 'id'],
  ['photos', 'id'],
  ['likes', 'photo_id'],
  ['following', 'follower_id'],
  ['followers', 'followee_id'],
  ['sessions', 'user_id'],
  ['feed_entries', 'user_id'],
];

export interface ShardUser {
  readonly id: string;
  readonly username: string;
  readonly token: string;
  readonly shard: number;
}

export interface ShardUserOptions {
  /** Servers in the layout, split evenly as SHARD_DATABASE_URLS does. @default 2 */
  readonly servers?: number;
  /** Username prefix. @default 's' */
  readonly prefix?: string;
  /** Logical shards to avoid; the chosen one is added (tests that each freeze or move their own shard). */
  readonly taken?: Set<number>;
  /** Also log in (token: '' when false, for tests that count sessions). @default true */
  readonly logIn?: boolean;
}

/**
 * Signs up and logs in a user whose username hashes onto server `index` of an
 * even layout, so a test controls which server holds the user's rows.
 */
export async function signUpOnServer(baseUrl: string, index: number, options: ShardUserOptions = {}): Promise<ShardUser> {
  const [first, last] = evenShardRanges(options.servers ?? 2)[index];
  for (;;) {
    const username = uniqueName(options.prefix ?? 's');
    const shard = shardForUsername(username);
    if (shard < first || shard > last || options.taken?.has(shard)) continue;
    options.taken?.add(shard);
    const created = await call(baseUrl, 'POST', '/api/users', { body: { username, password: SHARD_USER_PASSWORD } });
    if (created.status !== 201) throw new Error(`sign-up failed: ${created.status} ${JSON.stringify(created.body)}`);
    if (options.logIn === false) return { id: created.body.id as string, username, token: '', shard };
    const session = await call(baseUrl, 'POST', '/api/sessions', { body: { username, password: SHARD_USER_PASSWORD } });
    if (session.status !== 201) throw new Error(`log-in failed: ${session.status} ${JSON.stringify(session.body)}`);
    return { id: created.body.id as string, username, token: session.body.token as string, shard };
  }
}
