import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type Stage = 'AWSCURRENT' | 'AWSPREVIOUS';

/**
 * Secrets Manager's GetSecretValue over its JSON protocol (what the AWS SDK
 * sends, pointed here by AWS_ENDPOINT_URL_SECRETS_MANAGER), for the secrets a
 * test holds, with the AWSCURRENT and AWSPREVIOUS version stages a rotation
 * moves. Any other call or secret gets Secrets Manager's error. Requests are
 * not authenticated: IAM is not what these tests prove. It listens on
 * loopback unless given another local address (the boot test's instance network).
 */
export class SecretsManagerStandIn {
  /** GetSecretValue calls answered, by secret ID (tests count refreshes with it). */
  public readonly reads = new Map<string, number>();
  /**
   * The region the last GetSecretValue of each secret ID was signed for (the
   * SigV4 credential scope): the region the client called, since one endpoint
   * here stands for every region's.
   */
  public readonly signedRegions = new Map<string, string>();
  /** Each GetSecretValue's secret ID with the region it was signed for, in order (one endpoint answers every region here; Secrets Manager answers a secret only in its own). */
  public readonly signedReads: Array<{ readonly secretId: string; readonly region: string }> = [];

  private constructor(
    private readonly server: Server,
    public readonly endpoint: string,
    private readonly secrets: Map<string, Partial<Record<Stage, string>>>,
  ) {}

  public static async start(secrets: Readonly<Record<string, string>>, listen = '127.0.0.1'): Promise<SecretsManagerStandIn> {
    const held = new Map(Object.entries(secrets).map(([id, value]) => [id, { AWSCURRENT: value } as Partial<Record<Stage, string>>]));
    let standIn: SecretsManagerStandIn | undefined;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const reply = (status: number, payload: unknown) => {
          response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify(payload));
        };
        const target = request.headers['x-amz-target'];
        if (target !== 'secretsmanager.GetSecretValue') return reply(400, { __type: 'InvalidAction', message: `stand-in only serves GetSecretValue, not ${target}` });
        const { SecretId, VersionStage } = JSON.parse(body || '{}') as { SecretId?: string; VersionStage?: Stage };
        const stage: Stage = VersionStage ?? 'AWSCURRENT';
        const versions = SecretId ? held.get(SecretId) : undefined;
        if (SecretId) standIn?.reads.set(SecretId, (standIn.reads.get(SecretId) ?? 0) + 1);
        const signedRegion = /Credential=[^/]+\/\d{8}\/([^/]+)\/secretsmanager\//.exec(request.headers.authorization ?? '')?.[1] ?? 'unsigned';
        if (SecretId) {
          standIn?.signedRegions.set(SecretId, signedRegion);
          standIn?.signedReads.push({ secretId: SecretId, region: signedRegion });
        }
        if (!versions) return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        const value = versions[stage];
        if (value === undefined) return reply(400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find the specified secret value for staging label: ${stage}` });
        reply(200, { ARN: SecretId, Name: SecretId!.split(':').pop(), SecretString: value, VersionId: `${stage}-${value.length}`, VersionStages: [stage], CreatedDate: Date.now() / 1000 });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, listen, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    standIn = new SecretsManagerStandIn(server, `http://${listen}:${port}`, held);
    return standIn;
  }

  /** A secret created after the stand-in started (a stack that creates one was deployed), or replaced outright. */
  public put(secretId: string, value: string): void {
    this.secrets.set(secretId, { AWSCURRENT: value });
  }

  /** The current value of a secret this stand-in holds (what `get-secret-value` prints as SecretString). */
  public current(secretId: string): string {
    const value = this.secrets.get(secretId)?.AWSCURRENT;
    if (value === undefined) throw new Error(`Secrets Manager can't find the specified secret: ${secretId}`);
    return value;
  }

  /** A rotation: `value` becomes AWSCURRENT and the current one AWSPREVIOUS, as PutSecretValue does. */
  public rotate(secretId: string, value: string): void {
    const versions = this.secrets.get(secretId);
    if (!versions) throw new Error(`no secret ${secretId}`);
    this.secrets.set(secretId, { AWSCURRENT: value, AWSPREVIOUS: versions.AWSCURRENT });
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
