import type { FastifyBaseLogger } from 'fastify';
import { regionOfArn } from '../../../contracts/arn';

/**
 * Reads one staged value of a secret (`AWSCURRENT`, `AWSPREVIOUS`); undefined
 * when the secret has no version with that label (a secret never rotated has no
 * previous one). Injectable so tests can use a local Secrets Manager stand-in
 * or none.
 */
export type StagedSecretReader = (secretArn: string, stage: 'AWSCURRENT' | 'AWSPREVIOUS') => Promise<string | undefined>;

/**
 * The real reader: Secrets Manager's GetSecretValue by version stage (the SDK
 * loaded lazily), in the region the ARN names (`region` only when it names none).
 */
export function secretsManagerReader(region?: string): StagedSecretReader {
  return async (secretArn, stage) => {
    const { SecretsManagerClient, GetSecretValueCommand, ResourceNotFoundException } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({ region: regionOfArn(secretArn) ?? region });
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }));
      return out.SecretString;
    } catch (error) {
      // Secrets Manager answers ResourceNotFoundException for a label no version carries.
      if (stage === 'AWSPREVIOUS' && error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  };
}

/**
 * The values the origin-verify header may carry: the secret's current value
 * and, during a rotation, its previous one (CloudFront keeps sending the old
 * value until the distribution is updated, and its edge locations switch over
 * a few minutes). Re-read every `refreshMs`; a failed refresh keeps the values
 * it had (the secret exists, and rejecting every request because Secrets
 * Manager blinked would be an outage of our own making).
 */
export class OriginSecrets {
  private values: readonly string[] = [];
  private timer?: NodeJS.Timeout;

  private constructor(
    private readonly secretArn: string,
    private readonly read: StagedSecretReader,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Reads the values once (failing start-up if that fails), then keeps them fresh. */
  public static async start(secretArn: string, read: StagedSecretReader, refreshMs: number, log: FastifyBaseLogger): Promise<OriginSecrets> {
    const secrets = new OriginSecrets(secretArn, read, log);
    await secrets.refresh();
    secrets.timer = setInterval(() => {
      secrets.refresh().catch((error: Error) => log.warn({ err: error }, 'origin secret refresh failed; keeping the values read before'));
    }, refreshMs);
    secrets.timer.unref();
    return secrets;
  }

  public async refresh(): Promise<void> {
    const [current, previous] = await Promise.all([this.read(this.secretArn, 'AWSCURRENT'), this.read(this.secretArn, 'AWSPREVIOUS')]);
    if (!current) throw new Error(`the origin secret ${this.secretArn} has no current value`);
    const next = previous && previous !== current ? [current, previous] : [current];
    if (this.values.length > 0 && next[0] !== this.values[0]) this.log.info('origin secret rotated: accepting the new value and the previous one');
    this.values = next;
  }

  public accepted(): readonly string[] {
    return this.values;
  }

  public stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
