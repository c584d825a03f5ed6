import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiEnvironment, envFileContent } from '../../../../../lib/constructs/compute/private/api-environment';

describe('the API environment file', () => {
  test('lists only set variables, in a stable order, one NAME=value per line', () => {
    expect(envFileContent({ port: 80, dataDir: '/var/lib/graminsta', databaseReplicaHosts: ['a:5432', 'b:5432'], redisCluster: true })).toBe(
      'PORT=80\nHOST=0.0.0.0\nLOG_LEVEL=info\nDATA_DIR=/var/lib/graminsta\nDATABASE_REPLICA_HOSTS=a:5432,b:5432\nREDIS_CLUSTER=true\n',
    );
  });

  test('gives the worker its queue settings, timeouts in milliseconds', () => {
    const env = apiEnvironment({ port: 80, queue: 'sqs', workQueueUrl: 'https://q', workerJobTimeoutSeconds: 20, queueVisibilityTimeoutSeconds: 120, workerConcurrency: 4 });
    expect(Object.fromEntries(env)).toMatchObject({
      QUEUE: 'sqs',
      WORK_QUEUE_URL: 'https://q',
      QUEUE_VISIBILITY_TIMEOUT_MS: '120000',
      WORKER_JOB_TIMEOUT_MS: '20000',
      WORKER_CONCURRENCY: '4',
    });
  });

  test('leaves out an empty replica list', () => {
    expect(apiEnvironment({ port: 80, databaseReplicaHosts: [] }).map(([k]) => k)).not.toContain('DATABASE_REPLICA_HOSTS');
  });

  test('every variable the stacks can set is documented in docs/configuration.md', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'docs', 'configuration.md'), 'utf8');
    const all = apiEnvironment({
      port: 80, dataDir: 'x', webRoot: 'x', databaseUrl: 'x', databaseSecretArn: 'x', databaseCaFile: 'x', databaseReplicaHosts: ['x'],
      shardMapParameter: 'x', redisUrl: 'x', redisCluster: true, redisAuthSecretArn: 'x', uploadsBucket: 'x', uploadMode: 'proxy',
      mediaBaseUrl: 'x', trustProxy: 2, workQueueUrl: 'x', awsRegion: 'x', shardMapVersion: 'x', queue: 'sqs', workerJobTimeoutSeconds: 20,
      queueVisibilityTimeoutSeconds: 120, workerConcurrency: 4,
    });
    expect(all).toHaveLength(24);
    for (const [name] of all) expect({ name, documented: doc.includes(`| \`${name}\` |`) }).toEqual({ name, documented: true });
  });
});
