import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** One call the stand-in received. */
export interface SsmCall {
  readonly region: string;
  /** `GetParameter`, `PutParameter`, … */
  readonly action: string;
  readonly name?: string;
  /** Whether it was answered (false: the region was unreachable, the connection was dropped). */
  readonly answered: boolean;
}

/**
 * SSM Parameter Store for several regions behind one loopback endpoint, over
 * the JSON protocol the AWS SDK speaks (point it here with
 * AWS_ENDPOINT_URL_SSM): GetParameter and PutParameter (with Overwrite), each
 * region holding its own parameters. The region is the one the SDK signed the
 * request for (the credential scope of its Authorization header), as AWS keeps
 * one Parameter Store per region. `setReachable(region, false)` is that
 * region's outage: its requests get their connection dropped, as an
 * unreachable endpoint would. Requests are not authenticated.
 */
export class SsmStandIn {
  public readonly calls: SsmCall[] = [];
  private readonly unreachable = new Set<string>();

  private constructor(
    private readonly server: Server,
    public readonly endpoint: string,
    /** region → parameter name → { value, version }. */
    private readonly store: Map<string, Map<string, { value: string; version: number }>>,
    private readonly sockets: Set<Socket>,
  ) {}

  /** `listen`: a local address other than loopback (the boot test's instance network). */
  public static async start(initial: Readonly<Record<string, Readonly<Record<string, string>>>> = {}, listen = '127.0.0.1'): Promise<SsmStandIn> {
    const store = new Map(Object.entries(initial).map(([region, params]) => [region, new Map(Object.entries(params).map(([name, value]) => [name, { value, version: 1 }]))]));
    const sockets = new Set<Socket>();
    let standIn: SsmStandIn | undefined;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/ssm\//.exec(request.headers.authorization ?? '')?.[1] ?? 'unsigned';
        const action = String(request.headers['x-amz-target'] ?? '').replace(/^AmazonSSM\./, '');
        let input: { Name?: string; Value?: string; Overwrite?: boolean; Type?: string } = {};
        try {
          input = JSON.parse(body || '{}');
        } catch {
          // answered below as a bad request
        }
        if (standIn!.unreachable.has(region)) {
          standIn!.calls.push({ region, action, name: input.Name, answered: false });
          request.socket.destroy();
          return;
        }
        standIn!.calls.push({ region, action, name: input.Name, answered: true });
        const reply = (status: number, payload: unknown) => {
          response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify(payload));
        };
        const params = store.get(region) ?? new Map<string, { value: string; version: number }>();
        store.set(region, params);
        if (!input.Name) return reply(400, { __type: 'ValidationException', message: 'Name is required' });
        const arn = `arn:aws:ssm:${region}:123456789012:parameter${input.Name.startsWith('/') ? '' : '/'}${input.Name}`;
        if (action === 'GetParameter') {
          const held = params.get(input.Name);
          if (!held) return reply(400, { __type: 'ParameterNotFound', message: '' });
          return reply(200, { Parameter: { Name: input.Name, Type: 'String', Value: held.value, Version: held.version, LastModifiedDate: Date.now() / 1000, ARN: arn, DataType: 'text' } });
        }
        if (action === 'PutParameter') {
          const held = params.get(input.Name);
          if (held && !input.Overwrite) return reply(400, { __type: 'ParameterAlreadyExists', message: 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.' });
          if (typeof input.Value !== 'string') return reply(400, { __type: 'ValidationException', message: 'Value is required' });
          const version = (held?.version ?? 0) + 1;
          params.set(input.Name, { value: input.Value, version });
          return reply(200, { Version: version, Tier: 'Standard' });
        }
        reply(400, { __type: 'InvalidAction', message: `stand-in only serves GetParameter and PutParameter, not ${action}` });
      });
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, listen, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    standIn = new SsmStandIn(server, `http://${listen}:${port}`, store, sockets);
    return standIn;
  }

  /** A parameter's value in a region, or undefined. */
  public value(region: string, name: string): string | undefined {
    return this.store.get(region)?.get(name)?.value;
  }

  /** Sets a parameter directly (a stack's deploy), bumping its version. */
  public put(region: string, name: string, value: string): void {
    const params = this.store.get(region) ?? new Map<string, { value: string; version: number }>();
    this.store.set(region, params);
    params.set(name, { value, version: (params.get(name)?.version ?? 0) + 1 });
  }

  /** A region's outage (false) or its return (true). */
  public setReachable(region: string, reachable: boolean): void {
    if (reachable) this.unreachable.delete(region);
    else this.unreachable.add(region);
  }

  /**
   * Environment for a process whose SSM client must reach this stand-in as
   * `region`: stand-in credentials, no profile files, no instance metadata.
   */
  public environment(region: string): Record<string, string> {
    return {
      AWS_ACCESS_KEY_ID: 'AKIASSMSTANDIN000000',
      AWS_SECRET_ACCESS_KEY: 'ssm-stand-in',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ENDPOINT_URL_SSM: this.endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => {
      for (const socket of this.sockets) socket.destroy();
      this.server.close(() => resolve());
    });
  }
}
