import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './boot-instance';
import { serverCertificate } from './certificates';

export interface ElastiCacheStandInProps {
  readonly dir: string;
  /** The configuration endpoint's DNS name (the template's `ConfigurationEndPoint.Address`); the certificate is issued for it. */
  readonly hostname: string;
  /** The host address the instance reaches it on. */
  readonly listen: string;
  /** The configuration endpoint's port. @default 6379 */
  readonly port?: number;
  /** The AUTH token (what the replication group's AuthToken resolves to from its secret). */
  readonly authToken: string;
}

/**
 * ElastiCache for Redis OSS in cluster mode with in-transit encryption and an AUTH token, as a
 * real `redis-server`: one node in cluster mode holding all 16384 slots, TLS only (no plain
 * port) with a certificate for the configuration endpoint's name from a throwaway CA, and
 * `requirepass`. CLUSTER SLOTS answers the node by that name (`cluster-preferred-endpoint-type
 * hostname`), as ElastiCache's TLS clusters answer names, so a client that verifies certificates
 * (the API: names, not addresses) must trust the CA and reach the name. On AWS the certificate
 * chains to Amazon's public CA, which Node trusts out of the box; here `caPem` is what the
 * instance must be given instead (NODE_EXTRA_CA_CERTS).
 */
export class ElastiCacheStandIn {
  private constructor(
    private readonly child: ChildProcess,
    public readonly hostname: string,
    public readonly listen: string,
    public readonly port: number,
    public readonly caPem: string,
    private readonly caFile: string,
    private readonly authToken: string,
  ) {}

  public static async start(props: ElastiCacheStandInProps): Promise<ElastiCacheStandIn> {
    mkdirSync(props.dir, { recursive: true });
    const port = props.port ?? 6379;
    const tls = serverCertificate(join(props.dir, 'tls'), props.hostname, undefined, 'ElastiCache');
    const caFile = join(props.dir, 'tls', 'ca.pem');
    // prettier-ignore
    const args = [
      '--port', '0', '--tls-port', String(port), '--bind', props.listen,
      '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', caFile,
      '--tls-auth-clients', 'no', '--tls-cluster', 'yes',
      '--cluster-enabled', 'yes', '--cluster-config-file', join(props.dir, 'nodes.conf'),
      '--cluster-announce-hostname', props.hostname, '--cluster-preferred-endpoint-type', 'hostname',
      '--requirepass', props.authToken,
      '--save', '', '--appendonly', 'no', '--dir', props.dir,
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    const standIn = new ElastiCacheStandIn(child, props.hostname, props.listen, port, tls.caPem, caFile, props.authToken);
    try {
      await waitFor('the ElastiCache stand-in to answer', 10_000, () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
        return standIn.cli(['ping']).includes('PONG') || undefined;
      });
      standIn.cli(['cluster', 'addslotsrange', '0', '16383']);
      await waitFor('the one-node cluster to be ok', 10_000, () => standIn.cli(['cluster', 'info']).includes('cluster_state:ok') || undefined);
    } catch (error) {
      await standIn.stop();
      throw error;
    }
    return standIn;
  }

  /** `redis-cli` over TLS with the AUTH token: the test's view of the cache. */
  public cli(args: readonly string[]): string {
    const result = spawnSync('redis-cli', ['--tls', '--cacert', this.caFile, '-h', this.listen, '-p', String(this.port), '--no-auth-warning', '-a', this.authToken, ...args], {
      encoding: 'utf8',
      timeout: 5_000,
    });
    return result.stdout ?? '';
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
