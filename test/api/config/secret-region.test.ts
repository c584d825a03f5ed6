import { regionOfArn } from '../../../contracts/arn';
import { awsSecretSource } from '../../../api/src/config/resolve-config';
import { secretsManagerReader } from '../../../api/src/origin/origin-secrets';
import { SecretsManagerStandIn } from '../../support/secrets-manager-stand-in';
import { awsSecretStore } from '../../../tools/reshard/aws-secret-store';

/**
 * A secret lives in one region, and Secrets Manager finds it only there: at
 * stage 10m the second region's API reads the replicas of the home secrets in
 * its own region, and a client that called the process's region for an ARN of
 * another would not find the secret. The stand-in answers for every region at
 * one endpoint and records the region each call was signed for.
 */
const HOME_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:DatabaseSecret3B817195-AbCdEf';
const REPLICA_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:DatabaseSecret3B817195-AbCdEf';

describe('the region of a secret read', () => {
  let standIn: SecretsManagerStandIn;
  const saved = { ...process.env };

  beforeAll(async () => {
    standIn = await SecretsManagerStandIn.start({ [HOME_ARN]: '{"from":"home"}', [REPLICA_ARN]: '{"from":"replica"}', 'plain-name': '{}' });
    Object.assign(process.env, { AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
  });
  afterAll(async () => {
    process.env = saved;
    await standIn?.stop();
  });

  test('an ARN names its region; a name or a malformed value names none', () => {
    expect(regionOfArn(REPLICA_ARN)).toBe('eu-west-1');
    expect(regionOfArn('arn:aws:iam::111122223333:role/x')).toBeUndefined();
    expect(regionOfArn('plain-name')).toBeUndefined();
  });

  test("the API's secret source (database credentials, Redis AUTH) calls the region the ARN names, whatever the process's region", async () => {
    const source = awsSecretSource('us-east-1');
    expect(await source.getSecretString(REPLICA_ARN)).toBe('{"from":"replica"}');
    expect(standIn.signedRegions.get(REPLICA_ARN)).toBe('eu-west-1');
    await awsSecretSource('eu-west-1').getSecretString(HOME_ARN);
    expect(standIn.signedRegions.get(HOME_ARN)).toBe('us-east-1');
    // A bare name is found in the process's region.
    await awsSecretSource('ap-south-1').getSecretString('plain-name');
    expect(standIn.signedRegions.get('plain-name')).toBe('ap-south-1');
  });

  test('the origin-secret reader does the same', async () => {
    standIn.signedRegions.clear();
    expect(await secretsManagerReader('us-east-1')(REPLICA_ARN, 'AWSCURRENT')).toBe('{"from":"replica"}');
    expect(standIn.signedRegions.get(REPLICA_ARN)).toBe('eu-west-1');
  });

  test('so does the tools\' store (npm run reshard, npm run failover)', async () => {
    standIn.signedRegions.clear();
    await awsSecretStore('us-east-1').getSecretString(REPLICA_ARN);
    expect(standIn.signedRegions.get(REPLICA_ARN)).toBe('eu-west-1');
  });
});
