import { regionOfArn } from '../../contracts/arn';
import type { SecretStore } from '../../contracts/database-targets';

/**
 * Secrets Manager and SSM for contracts/database-targets, with the caller's
 * AWS credentials (the fleet instance's role). The SDK is loaded on first use,
 * so `--help`, `--map` and local URLs never load it. The API has the same few
 * lines (api/src/config/resolve-config.ts, `awsSecretSource`): tools/ never
 * imports api/, and an adapter over two SDK calls is not worth a package.
 * A secret is read in the region its ARN names (10m: the second region's map
 * names its replicas there), `region` only for a bare name.
 */
export function awsSecretStore(region?: string): SecretStore {
  return {
    async getSecretString(arn) {
      const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const client = new SecretsManagerClient({ region: regionOfArn(arn) ?? region });
      try {
        const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
        // A binary secret has no SecretString: read as no fields, it fails naming the ones a connection needs.
        return out.SecretString ?? '{}';
      } finally {
        client.destroy();
      }
    },
    async getParameter(name) {
      const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
      const client = new SSMClient({ region });
      try {
        const out = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
        return out.Parameter?.Value ?? '';
      } finally {
        client.destroy();
      }
    },
  };
}
