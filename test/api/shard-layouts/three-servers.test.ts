import { layoutsStarted, useShardServers } from '../../support/api-server';

/**
 * The contract check on three real PostgreSQL servers (SHARD_DATABASE_URLS,
 * logical shards split in three): the route suites, unchanged, re-run here.
 */
useShardServers(3);

describe('on three PostgreSQL servers', () => {
  require('../routes/users.test');
  require('../routes/photos.test');
  require('../malformed.test');

  test('each suite above really ran on three servers', () => {
    expect(layoutsStarted).toEqual([3, 3, 3]);
  });
});
