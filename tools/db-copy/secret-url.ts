import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The fields of an RDS credentials secret (what the SecretTargetAttachment writes) that a connection needs. */
interface DatabaseSecret {
  readonly username: string;
  readonly password: string;
  readonly host: string;
  readonly port?: number | string;
  readonly dbname?: string;
}

function databaseSecret(value: unknown, what: string): DatabaseSecret {
  const secret = value as Partial<Record<keyof DatabaseSecret, unknown>>;
  for (const field of ['username', 'password', 'host'] as const) {
    if (typeof secret?.[field] !== 'string') throw new Error(`${what} has no ${field}: is it the database's credentials secret (the DatabaseSecretArn output)?`);
  }
  return secret as DatabaseSecret;
}

/**
 * The connection string of the database an RDS credentials secret's JSON
 * (its SecretString) describes. TLS is required; the server certificate is
 * not verified (the RDS CA bundle is not on a stage-1 instance; the
 * connection stays inside the VPC).
 */
export function connectionUrlFromSecretJson(json: string, what: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error(`${what} is not JSON (paste the SecretString exactly as get-secret-value printed it)`);
  }
  const secret = databaseSecret(parsed, what);
  const auth = `${encodeURIComponent(secret.username)}:${encodeURIComponent(secret.password)}`;
  return `postgres://${auth}@${secret.host}:${secret.port ?? 5432}/${encodeURIComponent(secret.dbname ?? 'postgres')}?sslmode=no-verify`;
}

/**
 * The connection string of the database a Secrets Manager secret describes,
 * the secret read with the caller's AWS credentials (an instance role) in the
 * secret's own region, so no password is ever typed or shown.
 */
export async function connectionUrlFromSecret(arn: string): Promise<string> {
  const region = /^arn:[^:]+:secretsmanager:([^:]+):/.exec(arn)?.[1];
  if (!region) throw new Error(`${arn} is not a Secrets Manager secret ARN`);
  const client = new SecretsManagerClient({ region });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new Error(`secret ${arn} holds no string`);
    return connectionUrlFromSecretJson(SecretString, `secret ${arn}`);
  } finally {
    client.destroy();
  }
}
