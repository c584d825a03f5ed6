import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Secrets Manager's GetSecretValue over its JSON protocol (what the AWS SDK sends), for the
 * secrets a scenario holds; any other call or secret gets Secrets Manager's error. Requests are
 * not authenticated: the instance's role is not what the boot test proves.
 */
export class SecretsManagerStandIn {
  private constructor(
    private readonly server: Server,
    public readonly endpoint: string,
  ) {}

  public static async start(listen: string, secrets: Readonly<Record<string, string>>): Promise<SecretsManagerStandIn> {
    const held = new Map(Object.entries(secrets));
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
        const { SecretId } = JSON.parse(body || '{}') as { SecretId?: string };
        const value = SecretId ? held.get(SecretId) : undefined;
        if (value === undefined) return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        reply(200, { ARN: SecretId, Name: SecretId!.split(':').pop(), SecretString: value, VersionId: '00000000-0000-0000-0000-000000000001', VersionStages: ['AWSCURRENT'], CreatedDate: Date.now() / 1000 });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, listen, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new SecretsManagerStandIn(server, `http://${listen}:${port}`);
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
