/**
 * review:pr at stage 10m: bin/app.ts synthesizes 10m only with its regions,
 * domain, certificate and zone, so the review takes them (the review workflow
 * passes them from repository variables) and refuses a 10m review without them,
 * or with them at a one-region stage, before it synthesizes anything.
 */
import { CliError } from '../../../../contracts/cli';
import { main } from '../../../../tools/review/pull-request/cli';

async function refusal(argv: string[]): Promise<CliError> {
  try {
    await main(argv);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error(`no refusal for ${argv.join(' ')}`);
}

describe('npm run review:pr: stage 10m options', () => {
  test('a 10m review without them is refused (exit 2), naming each missing flag and the -c it stands for', async () => {
    const error = await refusal(['--base', 'HEAD', '--stage', '10m', '--regions', 'us-east-1,eu-west-1']);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('stage 10m needs --domain-name, --certificate-arn, --hosted-zone-id (what cdk deploy gets as -c domainName= -c certificateArn= -c hostedZoneId=)');
  });

  test('below 10m they are refused, named', async () => {
    const error = await refusal(['--base', 'HEAD', '--stage', '1m', '--hosted-zone-id', 'Z0123']);
    expect(error.message).toBe('--hosted-zone-id is for stage 10m (two regions); stage 1m runs in one region: leave it out');
  });
});
