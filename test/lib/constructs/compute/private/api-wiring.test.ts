import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { ApiDependencies, ApiWorkQueue } from '../../../../../lib/constructs/compute';
import { apiRuntimeConfig, grantApiDependencies, LOCAL_DATABASE_URL } from '../../../../../lib/constructs/compute/private/api-wiring';
import { stage1m } from '../../../../../stages/stage-1m';

function dependencies(stack: Stack, withDatabase: boolean): ApiDependencies {
  const secret = (id: string) => new secretsmanager.Secret(stack, id);
  const databaseSecret = secret('DatabaseSecret');
  const bucket = new s3.Bucket(stack, 'Photos');
  return {
    originSecret: secret('OriginSecret'),
    database: withDatabase ? { secret: databaseSecret, replicaHosts: ['replica:5432'], allSecrets: [databaseSecret] } : undefined,
    uploads: { bucket, uploadMode: 'presigned', grantApiAccess: (grantee) => bucket.grantReadWrite(grantee) },
  };
}

describe('the API wiring', () => {
  test('without a database the API uses PostgreSQL on the instance, and reads no database secret', () => {
    const stack = new Stack();
    const config = apiRuntimeConfig(dependencies(stack, false), { proxies: 1, dataDir: '/data' });
    expect(config).toMatchObject({ databaseUrl: LOCAL_DATABASE_URL, trustProxy: 1, dataDir: '/data', uploadMode: 'presigned' });
    expect(config.databaseSecretArn).toBeUndefined();
    expect(config.databaseCaFile).toBeUndefined();
  });

  test('with RDS the API reads its secret and verifies its certificate, and has no local database URL', () => {
    const stack = new Stack();
    const config = apiRuntimeConfig(dependencies(stack, true), { proxies: 2 });
    expect(config.databaseUrl).toBeUndefined();
    expect(config).toMatchObject({ databaseReplicaHosts: ['replica:5432'], databaseCaFile: '/etc/graminsta/rds-ca.pem', trustProxy: 2 });
    expect(stack.resolve(config.databaseSecretArn)).toEqual({ Ref: expect.stringMatching(/^DatabaseSecret/) });
  });

  test('the work queue gives the worker its timeouts from the queue spec', () => {
    const stack = new Stack();
    const queue = new sqs.Queue(stack, 'Work');
    const workQueue: ApiWorkQueue = { queue, spec: stage1m.queue!, grantSend: (g) => queue.grantSendMessages(g), grantConsume: (g) => queue.grantConsumeMessages(g) };
    const config = apiRuntimeConfig(dependencies(stack, true), { proxies: 2, workQueue });
    expect(config).toMatchObject({
      queue: 'sqs',
      workerJobTimeoutSeconds: stage1m.queue!.jobTimeoutSeconds,
      workerConcurrency: stage1m.queue!.workerConcurrency,
    });
    expect(config.queueVisibilityTimeoutSeconds).toBeGreaterThan(stage1m.queue!.jobTimeoutSeconds);
  });

  test('the role may read every secret and the bucket the environment names', () => {
    const stack = new Stack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    grantApiDependencies(role, dependencies(stack, true));
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const granted = JSON.stringify(Object.values(policies).map((p) => p.Properties.PolicyDocument.Statement));
    for (const resource of ['OriginSecret', 'DatabaseSecret', 'Photos']) expect(granted).toContain(resource);
  });
});
