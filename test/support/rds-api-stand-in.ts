import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { PgNode } from './streaming-postgres';

/** One call the stand-in received. */
export interface RdsCall {
  readonly region: string;
  /** `DescribeDBInstances`, `PromoteReadReplica`, … */
  readonly action: string;
  readonly id?: string;
  /** False when the region was unreachable (the connection was dropped). */
  readonly answered: boolean;
}

/** A DB instance as the stand-in holds it: a real PostgreSQL server of the test behind it. */
export interface StandInDbInstance {
  readonly id: string;
  readonly region: string;
  /** The server: its port is the endpoint's, PromoteReadReplica runs `pg_promote()` on it and restarts it. */
  readonly node: PgNode;
  status: string;
  /** `ReadReplicaSourceDBInstanceIdentifier`: the source's ARN (a cross-region replica); undefined once promoted. */
  replicaOf?: string;
  backupRetentionPeriod: number;
  /** Why the last promotion failed, if it did. */
  failure?: string;
}

const XMLNS = 'http://rds.amazonaws.com/doc/2014-10-31/';
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The RDS API for the DB instances a test registers, over the Query protocol
 * that @aws-sdk/client-rds speaks (form-encoded `Action=…` POSTs, XML
 * answers; point it here with AWS_ENDPOINT_URL_RDS), each region holding its
 * own instances (the region is the one the SDK signed for, as in
 * ssm-stand-in.ts). Each instance is a real PostgreSQL server of the test
 * (two-regions.ts), its endpoint `127.0.0.1:<port>`:
 * - DescribeDBInstances: every instance of the region (pages of MaxRecords,
 *   Marker), or the one named (DBInstanceNotFound otherwise);
 * - PromoteReadReplica: refused with InvalidDBInstanceState unless the
 *   instance is an `available` read replica (as RDS refuses one that is, for
 *   instance, `backing-up`); otherwise `modifying`, then `pg_promote()` on
 *   its server, `rebooting` (the server is stopped and started again,
 *   dropping every session, as RDS reboots a promoted replica; either status
 *   can be held with `holdPromotions`), then `available`, no longer a replica, with
 *   the BackupRetentionPeriod asked for (RDS's default: 1).
 * `setReachable(region, false)` drops that region's requests. Requests are
 * not authenticated: IAM is not what these tests prove.
 */
export class RdsApiStandIn {
  public readonly calls: RdsCall[] = [];
  private readonly instances = new Map<string, StandInDbInstance>();
  private readonly unreachable = new Set<string>();
  private held: 'modifying' | 'rebooting' | undefined;
  private releaseHeld: (() => void)[] = [];
  private readonly promotions: Promise<void>[] = [];

  private constructor(
    private readonly server: Server,
    public readonly endpoint: string,
    private readonly sockets: Set<Socket>,
    /** How long an instance stays `modifying` at least. */
    private readonly modifyingMs: number,
  ) {}

  /** `modifyingMs`: how long a promoted instance stays `modifying` at least. @default 1000 */
  public static async start(options: { readonly modifyingMs?: number } = {}): Promise<RdsApiStandIn> {
    const sockets = new Set<Socket>();
    let standIn: RdsApiStandIn | undefined;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => standIn!.answer(request.headers.authorization ?? '', body, request.socket, response));
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    standIn = new RdsApiStandIn(server, `http://127.0.0.1:${port}`, sockets, options.modifyingMs ?? 1_000);
    return standIn;
  }

  /** Registers a DB instance (a stack's deploy): a read replica when `replicaOf` is given. */
  public add(region: string, id: string, node: PgNode, replicaOf?: string): StandInDbInstance {
    const instance: StandInDbInstance = { id, region, node, status: 'available', replicaOf, backupRetentionPeriod: replicaOf ? 0 : 7 };
    this.instances.set(`${region}/${id}`, instance);
    return instance;
  }

  public instance(region: string, id: string): StandInDbInstance {
    const instance = this.instances.get(`${region}/${id}`);
    if (!instance) throw new Error(`no DB instance ${id} in ${region}`);
    return instance;
  }

  /** PromoteReadReplica calls answered for `id`. */
  public promoteCalls(id: string): number {
    return this.calls.filter((call) => call.action === 'PromoteReadReplica' && call.id === id && call.answered).length;
  }

  /**
   * Promotions stay in `phase` until `release()`: `modifying` (the server
   * still a standby), or `rebooting` (promoted, its server stopped: it does
   * not answer).
   */
  public holdPromotions(phase: 'modifying' | 'rebooting' = 'modifying'): void {
    this.held = phase;
  }

  public release(): void {
    this.held = undefined;
    const waiting = this.releaseHeld;
    this.releaseHeld = [];
    waiting.forEach((resolve) => resolve());
  }

  public setReachable(region: string, reachable: boolean): void {
    if (reachable) this.unreachable.delete(region);
    else this.unreachable.add(region);
  }

  /** Environment for a process whose RDS client must reach this stand-in (credentials as ssm-stand-in.ts gives them). */
  public environment(): Record<string, string> {
    return { AWS_ENDPOINT_URL_RDS: this.endpoint };
  }

  /** Waits for the promotions under way to end (a test's cleanup). */
  public async settled(): Promise<void> {
    this.release();
    await Promise.allSettled(this.promotions);
  }

  public async stop(): Promise<void> {
    await this.settled();
    await new Promise<void>((resolve) => {
      for (const socket of this.sockets) socket.destroy();
      this.server.close(() => resolve());
    });
  }

  private answer(authorization: string, body: string, socket: Socket, response: import('node:http').ServerResponse): void {
    const params = new URLSearchParams(body);
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/rds\//.exec(authorization)?.[1] ?? 'unsigned';
    const action = params.get('Action') ?? '';
    const id = params.get('DBInstanceIdentifier')?.toLowerCase() ?? undefined;
    if (this.unreachable.has(region)) {
      this.calls.push({ region, action, id, answered: false });
      socket.destroy();
      return;
    }
    this.calls.push({ region, action, id, answered: true });
    const reply = (status: number, xml: string) => {
      response.writeHead(status, { 'content-type': 'text/xml' });
      response.end(xml);
    };
    const result = (inner: string) => reply(200, `<${action}Response xmlns="${XMLNS}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`);
    const error = (status: number, code: string, message: string) =>
      reply(status, `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
    const inRegion = [...this.instances.values()].filter((instance) => instance.region === region);
    const named = id === undefined ? undefined : inRegion.find((instance) => instance.id === id);
    if (action === 'DescribeDBInstances') {
      if (id !== undefined) return named ? result(`<DBInstances>${this.xml(named)}</DBInstances>`) : error(404, 'DBInstanceNotFound', `DBInstance ${id} not found.`);
      const pageSize = Math.max(20, Math.min(100, Number(params.get('MaxRecords') ?? 100)));
      const from = Number(params.get('Marker') ?? 0);
      const page = inRegion.slice(from, from + pageSize);
      const marker = from + pageSize < inRegion.length ? `<Marker>${from + pageSize}</Marker>` : '';
      return result(`<DBInstances>${page.map((instance) => this.xml(instance)).join('')}</DBInstances>${marker}`);
    }
    if (action === 'PromoteReadReplica') {
      if (!named) return error(404, 'DBInstanceNotFound', `DBInstance ${id} not found.`);
      if (!named.replicaOf) return error(400, 'InvalidDBInstanceState', `DB Instance ${id} is not a read replica.`);
      if (named.status !== 'available') return error(400, 'InvalidDBInstanceState', `DB instance ${id} is not in available state (${named.status}).`);
      const retention = Number(params.get('BackupRetentionPeriod') ?? 1);
      named.status = 'modifying';
      this.promotions.push(this.promote(named, retention));
      return result(this.xml(named));
    }
    error(400, 'InvalidAction', `stand-in only serves DescribeDBInstances and PromoteReadReplica, not ${action}`);
  }

  private async promote(instance: StandInDbInstance, retention: number): Promise<void> {
    try {
      await new Promise((resolve) => setTimeout(resolve, this.modifyingMs));
      if (this.held === 'modifying') await new Promise<void>((resolve) => this.releaseHeld.push(resolve));
      await instance.node.promote();
      instance.status = 'rebooting';
      await instance.node.stopServer();
      if (this.held === 'rebooting') await new Promise<void>((resolve) => this.releaseHeld.push(resolve));
      await instance.node.restart();
      instance.replicaOf = undefined;
      instance.backupRetentionPeriod = retention;
      instance.status = 'available';
    } catch (error) {
      instance.failure = String(error);
      instance.status = 'incompatible-restore';
    }
  }

  private xml(instance: StandInDbInstance): string {
    const field = (name: string, value: string | number | undefined) => (value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`);
    return (
      `<DBInstance>${field('DBInstanceIdentifier', instance.id)}${field('DBInstanceStatus', instance.status)}${field('Engine', 'postgres')}` +
      `<Endpoint>${field('Address', '127.0.0.1')}${field('Port', instance.node.port)}</Endpoint>` +
      `${field('BackupRetentionPeriod', instance.backupRetentionPeriod)}${field('ReadReplicaSourceDBInstanceIdentifier', instance.replicaOf)}` +
      `${field('DBInstanceArn', `arn:aws:rds:${instance.region}:123456789012:db:${instance.id}`)}</DBInstance>`
    );
  }
}
