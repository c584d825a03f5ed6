import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { serverCertificate } from './certificates';
import { sh } from './host-command';

export interface RdsStandInProps {
  readonly dir: string;
  /** The endpoint's DNS name (what the secret's `host` says); the certificate is issued for it. */
  readonly hostname: string;
  /** The host address the instance reaches it on (the VPC side of its network). */
  readonly listen: string;
  /** The port it listens on (RDS's 5432, where the template says so). @default a free one */
  readonly port?: number;
  /** The instance's address: the only one allowed in, and only over TLS (rds.force_ssl). */
  readonly clientAddress: string;
  /** The master user and the initial database, as the template declares them. */
  readonly username: string;
  /**
   * The master user's password: a replica's is its primary's (PostgreSQL replicates its roles).
   * @default a new random one
   */
  readonly password?: string;
  readonly databaseName?: string;
}

/**
 * A real PostgreSQL server standing in for an RDS instance: TLS with a certificate for the
 * endpoint's name, reachable from the instance's address only over TLS with a password, the
 * template's master user and initial database.
 */
export class RdsStandIn {
  private constructor(
    private readonly server: TestPostgres,
    private readonly adminUrl: string,
    public readonly hostname: string,
    public readonly port: number,
    public readonly username: string,
    public readonly password: string,
    public readonly databaseName: string | undefined,
    public readonly caPem: string,
  ) {}

  public static async start(props: RdsStandInProps): Promise<RdsStandIn> {
    mkdirSync(props.dir, { recursive: true });
    chmodSync(props.dir, 0o755);
    const [uid, gid] = [Number(sh('id', ['-u', 'postgres']).trim()), Number(sh('id', ['-g', 'postgres']).trim())];
    const certificate = serverCertificate(join(props.dir, 'tls'), props.hostname, { uid, gid });
    chmodSync(join(props.dir, 'tls'), 0o755);
    const server = await startPostgres({
      listen: props.listen,
      port: props.port,
      ssl: { cert: certificate.certFile, key: certificate.keyFile },
      hba: [`hostssl all all ${props.clientAddress}/32 scram-sha-256`, `host all all ${props.listen}/32 scram-sha-256`],
    });
    const adminUrl = server.url;
    const password = props.password ?? randomBytes(15).toString('base64url');
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE "${props.username}" LOGIN CREATEDB CREATEROLE PASSWORD '${password}'`);
      if (props.databaseName) await admin.query(`CREATE DATABASE "${props.databaseName}" OWNER "${props.username}"`);
      await admin.query(`GRANT ALL ON DATABASE postgres TO "${props.username}"`);
    } finally {
      await admin.end();
    }
    const port = Number(new URL(adminUrl).port);
    return new RdsStandIn(server, adminUrl, props.hostname, port, props.username, password, props.databaseName, certificate.caPem);
  }

  /**
   * Lets one more instance in (over TLS with a password), as the database's security group admits
   * every instance of the API's group: a fleet instance, or the single instance created anew.
   */
  /** A connection URL as the template's master user (what the API's credentials are) to the given database. */
  public masterUrl(database: string): string {
    const url = new URL(this.adminUrl);
    url.username = this.username;
    url.password = this.password;
    url.pathname = `/${database}`;
    return url.toString();
  }

  public async admit(clientAddress: string): Promise<void> {
    const [{ hba_file: hbaFile }] = await this.query<{ hba_file: string }>('postgres', 'SHOW hba_file');
    appendFileSync(hbaFile, `hostssl all all ${clientAddress}/32 scram-sha-256\n`);
    await this.query('postgres', 'SELECT pg_reload_conf()');
  }

  /**
   * What RDS does to a Single-AZ instance while it resizes it or turns Multi-AZ off: the server
   * goes away (sessions terminated) and comes back with the same data and endpoint, here after
   * `downMs` instead of minutes.
   */
  public async restart(downMs: number): Promise<void> {
    await this.server.stopServer();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.server.startServer();
  }

  /** Runs a query as the server's superuser in the given database (the test's view of the data). */
  public async query<T = Record<string, unknown>>(database: string, sql: string): Promise<T[]> {
    const url = new URL(this.adminUrl);
    url.pathname = `/${database}`;
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  public stop(): Promise<void> {
    return this.server.stop();
  }
}
