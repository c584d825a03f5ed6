import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An AWS account that lets a caller find out who it is and nothing else, for
 * running the CDK CLI's deploy commands offline: STS GetCallerIdentity (the
 * CLI resolves the account with it) answers account `account`, and every
 * other call (CloudFormation, SSM, S3 …) gets AccessDenied, so the CLI stops
 * at its first real AWS call. Point the SDK here with AWS_ENDPOINT_URL; every
 * request is recorded.
 */
export class AwsAccountStandIn {
  /** `Action` (query protocol), or `X-Amz-Target`, or `METHOD path`, of each request received. */
  public readonly calls: string[] = [];

  private constructor(
    private readonly server: Server,
    public readonly endpoint: string,
  ) {}

  public static async start(account = '123456789012'): Promise<AwsAccountStandIn> {
    let standIn: AwsAccountStandIn | undefined;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const action = new URLSearchParams(body).get('Action') ?? request.headers['x-amz-target'] ?? `${request.method} ${request.url}`;
        standIn?.calls.push(String(action));
        if (action === 'GetCallerIdentity') {
          response.writeHead(200, { 'content-type': 'text/xml' });
          response.end(
            `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
              `<Arn>arn:aws:iam::${account}:user/offline</Arn><UserId>AIDAOFFLINE</UserId><Account>${account}</Account>` +
              `</GetCallerIdentityResult><ResponseMetadata><RequestId>offline</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
          );
          return;
        }
        response.writeHead(403, { 'content-type': 'text/xml' });
        response.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>offline stand-in: only GetCallerIdentity answers</Message></Error><RequestId>offline</RequestId></ErrorResponse>`,
        );
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    standIn = new AwsAccountStandIn(server, `http://127.0.0.1:${port}`);
    return standIn;
  }

  /**
   * Environment for a process whose AWS SDK must reach only this stand-in:
   * stand-in credentials and region, no profile files, no instance metadata.
   */
  public environment(region: string): Record<string, string> {
    return {
      AWS_ACCESS_KEY_ID: 'AKIAOFFLINESTANDIN00',
      AWS_SECRET_ACCESS_KEY: 'offline-stand-in',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
