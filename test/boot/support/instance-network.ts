import { randomInt } from 'node:crypto';
import { processRuns, sh } from './host-command';

/** Network namespaces of this harness are named `bootharness-<pid>-<n>`, so a later run can remove those of dead runs. */
const PREFIX = 'bootharness-';
let counter = 0;

/**
 * The instance's network: its own network namespace (so it has its own port 80, loopback and
 * addresses, as an EC2 instance does) joined to the host by a veth pair on a private /30. The
 * host side plays "the VPC": the test's stand-ins for AWS services listen on `hostAddress`, and
 * the test reaches the instance at `instanceAddress`, as a load balancer would.
 */
export class InstanceNetwork {
  private constructor(
    public readonly namespace: string,
    public readonly hostAddress: string,
    public readonly instanceAddress: string,
    private readonly hostLink: string,
  ) {}

  /**
   * One more host address the instance reaches through its default route (a service of the VPC
   * with an address of its own, e.g. one of several databases on RDS's port 5432): the `n`th of
   * the instance's /24, outside its /30, added to the host side of the link.
   */
  public addServiceAddress(n: number): string {
    if (!Number.isInteger(n) || n < 0 || n > 200) throw new Error(`service address ${n}: 0 to 200`);
    const address = this.hostAddress.replace(/\.1$/, `.${16 + n}`);
    sh('ip', ['addr', 'add', `${address}/32`, 'dev', this.hostLink]);
    return address;
  }

  public get namespacePath(): string {
    return `/run/netns/${this.namespace}`;
  }

  public static create(): InstanceNetwork {
    removeStaleNetworks();
    const used = sh('ip', ['-4', '-o', 'addr', 'show']);
    let third: number;
    do third = randomInt(0, 256);
    while (used.includes(` 10.213.${third}.`));
    const index = counter++;
    const namespace = `${PREFIX}${process.pid}-${index}`;
    const tag = `${(process.pid % 100000).toString(36)}${index.toString(36)}`;
    const hostLink = `bh${tag}h`;
    const instanceLink = `bh${tag}i`;
    const hostAddress = `10.213.${third}.1`;
    const instanceAddress = `10.213.${third}.2`;
    sh('ip', ['netns', 'add', namespace]);
    try {
      sh('ip', ['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', instanceLink]);
      sh('ip', ['link', 'set', instanceLink, 'netns', namespace]);
      sh('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', hostLink]);
      sh('ip', ['link', 'set', hostLink, 'up']);
      sh('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
      sh('ip', ['-n', namespace, 'addr', 'add', `${instanceAddress}/30`, 'dev', instanceLink]);
      sh('ip', ['-n', namespace, 'link', 'set', instanceLink, 'up']);
      sh('ip', ['-n', namespace, 'route', 'add', 'default', 'via', hostAddress]);
    } catch (error) {
      sh('ip', ['netns', 'del', namespace], { allowFailure: true });
      sh('ip', ['link', 'del', hostLink], { allowFailure: true });
      throw error;
    }
    return new InstanceNetwork(namespace, hostAddress, instanceAddress, hostLink);
  }

  public remove(): void {
    sh('ip', ['netns', 'del', this.namespace], { allowFailure: true });
    sh('ip', ['link', 'del', this.hostLink], { allowFailure: true });
  }
}

/** Deletes the namespaces (and so the veth pairs) of harness processes that no longer run. */
function removeStaleNetworks(): void {
  for (const line of sh('ip', ['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0];
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !processRuns(pid)) sh('ip', ['netns', 'del', name], { allowFailure: true });
  }
}
