import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { Cluster } from 'ioredis';
import { freePort } from '../../support/free-port';
import { describeWithRedis } from '../../support/redis';
import { ElastiCacheStandIn } from './elasticache-stand-in';

/** A cluster client as the API makes one for ElastiCache (api/src/cache/redis-client.ts), given the CA to trust. */
function clusterClient(standIn: ElastiCacheStandIn, options: { password?: string; ca?: string }, errors: string[] = []): Cluster {
  const client = new Cluster([{ host: standIn.hostname, port: standIn.port }], {
    dnsLookup: (address, callback) => callback(null, address),
    enableOfflineQueue: true,
    clusterRetryStrategy: () => null,
    redisOptions: { password: options.password, tls: options.ca ? { ca: options.ca } : {}, connectTimeout: 2_000, maxRetriesPerRequest: 1 },
  });
  client.on('error', (error: Error & { lastNodeError?: Error }) => errors.push(`${error.message} ${error.lastNodeError?.message ?? ''}`));
  return client;
}

describeWithRedis('the ElastiCache stand-in (cluster mode, TLS, AUTH token)', () => {
  let dir: string;
  let standIn: ElastiCacheStandIn;
  const authToken = 'stand-in-auth-token-0123456789';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'elasticache-stand-in-'));
    // "localhost": a name this machine resolves, as the instance resolves the configuration endpoint's.
    standIn = await ElastiCacheStandIn.start({ dir, hostname: 'localhost', listen: '127.0.0.1', port: await freePort(), authToken });
  }, 30_000);
  afterAll(async () => {
    await standIn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a cluster client that trusts its CA and gives the token reads and writes; CLUSTER SLOTS names the node by the endpoint name', async () => {
    const client = clusterClient(standIn, { password: authToken, ca: standIn.caPem });
    try {
      await client.set('boot:key', 'value');
      await expect(client.get('boot:key')).resolves.toBe('value');
      const slots = await client.cluster('SLOTS');
      expect(slots.map(([from, to, node]) => ({ from, to, host: node[0], port: node[1] }))).toEqual([{ from: 0, to: 16383, host: 'localhost', port: standIn.port }]);
    } finally {
      client.disconnect();
    }
  });

  test('refuses a client that does not trust its CA, and one without the token', async () => {
    // TLS only, with its own CA: Node's default trust refuses the certificate.
    const refusal = await new Promise<string>((resolve) => {
      const socket = connect({ host: standIn.hostname, port: standIn.port }, () => resolve('accepted'));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(String(error.code)));
    });
    expect(refusal).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    const untrusting = clusterClient(standIn, { password: authToken });
    await expect(untrusting.get('boot:key')).rejects.toThrow();
    untrusting.disconnect();
    const errors: string[] = [];
    const noToken = clusterClient(standIn, { ca: standIn.caPem }, errors);
    await expect(noToken.get('boot:key')).rejects.toThrow();
    expect(errors.join('\n')).toMatch(/NOAUTH Authentication required/);
    noToken.disconnect();
  });
});
