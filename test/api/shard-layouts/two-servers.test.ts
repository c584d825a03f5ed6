import { layoutsStarted, useShardServers } from '../../support/api-server';

/**
 * The contract check on two real PostgreSQL servers (SHARD_DATABASE_URLS,
 * logical shards split in two): the route suites, unchanged, re-run here.
 */
useShardServers(2);

describe('on two PostgreSQL servers', () => {
  require('../routes/users.test');
  require('../routes/photos.test');
  require('../malformed.test');

  test('each suite above really ran on two servers', () => {
    expect(layoutsStarted).toEqual([2, 2, 2]);
  });
});
