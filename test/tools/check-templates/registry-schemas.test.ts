import type { CfnTemplate } from '../../../tools/review/template';
import { validateWithRegistrySchemas } from '../../../tools/check-templates/registry-schemas';

/** The failing findings of a one-resource template, as `rule path`. */
function errors(type: string, properties: Record<string, unknown>, extra: CfnTemplate['Resources'] = {}): string[] {
  const template: CfnTemplate = { Resources: { Thing: { Type: type, Properties: properties }, ...extra } };
  return validateWithRegistrySchemas('app-Test', template)
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.rule} ${f.path}`);
}

const queue = (properties: Record<string, unknown>) => errors('AWS::SQS::Queue', properties);

describe('registry schemas (@aws/cloudformation-validate plus the gaps it leaves)', () => {
  test('a well-formed resource passes', () => {
    expect(queue({ DelaySeconds: 5, MessageRetentionPeriod: 345600 })).toEqual([]);
  });

  test('a missing required property fails', () => {
    expect(errors('AWS::SNS::Subscription', { Protocol: 'email' })).toContain('F3003 Resources.Thing.Properties');
  });

  test('an unknown property fails', () => {
    expect(queue({ DelaySecondz: 5 })).toEqual(['F3002 Resources.Thing.Properties.DelaySecondz']);
  });

  test('a read-only property fails (the validator lets it through; the resource spec lists it as an attribute)', () => {
    expect(queue({ Arn: 'arn:aws:sqs:us-east-1:123456789012:q' })).toEqual(['read-only-property Resources.Thing.Properties.Arn']);
  });

  test('a nested read-only property fails', () => {
    const found = errors('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      DBInstanceClass: 'db.t4g.micro',
      AllocatedStorage: '20',
      StorageEncrypted: true,
      MasterUserSecret: { SecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x' },
    });
    expect(found).toContain('read-only-property Resources.Thing.Properties.MasterUserSecret.SecretArn');
  });

  test('a wrong type fails', () => {
    expect(queue({ DelaySeconds: 'soon' })).toEqual(['F3012 Resources.Thing.Properties.DelaySeconds']);
  });

  test('an enum miss fails (the validator only warns, W3030)', () => {
    expect(errors('AWS::Logs::LogGroup', { RetentionInDays: 8 })).toEqual(['W3030 Resources.Thing.Properties.RetentionInDays']);
  });

  test('an unknown Lambda runtime fails (enum), and so does a deprecated one', () => {
    const fn = (runtime: string) =>
      errors('AWS::Lambda::Function', { Runtime: runtime, Handler: 'index.handler', Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Code: { ZipFile: 'x' } }, {
        Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } },
      });
    expect(fn('nodejs22.x')).toEqual([]);
    expect(fn('nodejs99.x')).toEqual(['W3030 Resources.Thing.Properties.Runtime']);
    expect(fn('nodejs8.10')).toContain('E2533 Resources.Thing.Properties.Runtime');
  });

  test('a pattern miss fails', () => {
    expect(errors('AWS::S3::Bucket', { BucketName: 'Not_A_Bucket!' })).toEqual(['F3031 Resources.Thing.Properties.BucketName']);
  });

  test('a range miss fails', () => {
    expect(queue({ DelaySeconds: 901 })).toEqual(['F3034 Resources.Thing.Properties.DelaySeconds']);
  });

  test('an RDS engine version the engine does not have fails, and a class wrong for the engine version', () => {
    const db = (version: string, instanceClass: string) =>
      errors('AWS::RDS::DBInstance', { Engine: 'postgres', EngineVersion: version, DBInstanceClass: instanceClass, AllocatedStorage: '20', StorageEncrypted: true });
    expect(db('16', 'db.r7g.xlarge')).toEqual([]);
    expect(db('99.1', 'db.t4g.micro')).toEqual(['E9006 Resources.Thing.Properties.EngineVersion']);
    expect(db('12.22', 'db.r7g.large')).toEqual(['E3062 Resources.Thing.Properties.DBInstanceClass']);
  });

  test("a read replica's class is checked against its source database's engine and version", () => {
    const template = (replicaClass: string): CfnTemplate => ({
      Resources: {
        Db: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'postgres', EngineVersion: '12.22', DBInstanceClass: 'db.m6g.large', AllocatedStorage: '20', StorageEncrypted: true } },
        Replica: { Type: 'AWS::RDS::DBInstance', Properties: { SourceDBInstanceIdentifier: { Ref: 'Db' }, DBInstanceClass: replicaClass } },
      },
    });
    const failing = (t: CfnTemplate) => validateWithRegistrySchemas('app-Data', t).filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.path}`);
    expect(failing(template('db.m6g.large'))).toEqual([]);
    expect(failing(template('db.r7g.large'))).toEqual(['E3062 Resources.Replica.Properties.DBInstanceClass']);
  });

  test("a replication group's node type is checked like a cache cluster's", () => {
    const group = (nodeType: string) =>
      errors('AWS::ElastiCache::ReplicationGroup', { ReplicationGroupDescription: 'cache', Engine: 'redis', CacheNodeType: nodeType, NumNodeGroups: 2, ReplicasPerNodeGroup: 1 });
    expect(group('cache.r7g.large')).toEqual([]);
    expect(group('cache.q9.large')).toEqual(['E3647 Resources.Thing.Properties.CacheNodeType']);
  });

  test('an image ID resolved from SSM at launch is acknowledged, an ami- typo is not', () => {
    const instance = (imageId: string) => errors('AWS::EC2::Instance', { ImageId: imageId, InstanceType: 't4g.small' });
    expect(instance('resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64')).toEqual([]);
    expect(instance('amy-0123')).toEqual(['E1152 Resources.Thing.Properties.ImageId']);
  });
});
