import { awsSecretStore } from '../../../tools/reshard/aws-secret-store';
import { SecretsManagerStandIn } from '../../support/secrets-manager-stand-in';
import { SsmStandIn } from '../../support/ssm-stand-in';

/**
 * The tools' Secrets Manager and SSM adapter, with the real AWS SDK against
 * the loopback stand-ins: a secret is read in the region its ARN names
 * (Secrets Manager answers only there), a parameter in the region given.
 */
describe('awsSecretStore', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:graminsta/primary-0-AbCdEf';
  let secrets: SecretsManagerStandIn;
  let ssm: SsmStandIn;
  const saved = { ...process.env };

  beforeAll(async () => {
    secrets = await SecretsManagerStandIn.start({ [arn]: '{"host":"db"}' });
    ssm = await SsmStandIn.start({ 'eu-west-1': { '/graminsta/shard-map': 'in eu-west-1' }, 'us-east-1': { '/graminsta/shard-map': 'in us-east-1' } });
    Object.assign(process.env, ssm.environment('us-east-1'), { AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint });
  });
  afterAll(async () => {
    process.env = saved;
    await secrets?.stop();
    await ssm?.stop();
  });

  test("a secret is read in its ARN's region, whatever the store's or the environment's region", async () => {
    expect(await awsSecretStore('us-east-1').getSecretString(arn)).toBe('{"host":"db"}');
    expect(secrets.signedRegions.get(arn)).toBe('eu-west-1');
  });

  test('a parameter is read in the region given, else the environment’s', async () => {
    expect(await awsSecretStore('eu-west-1').getParameter('/graminsta/shard-map')).toBe('in eu-west-1');
    expect(await awsSecretStore().getParameter('/graminsta/shard-map')).toBe('in us-east-1');
  });
});
