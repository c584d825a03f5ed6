/**
 * What the boot test installs when a template asks Amazon Linux 2023 for a
 * package. The test machine runs Debian (bookworm) and has no AL2023
 * repositories, so every package name a template's user data or
 * `AWS::CloudFormation::Init` metadata names goes through this one table:
 * either Debian packages (installed offline from the image's package cache,
 * with their maintainer scripts, as dnf would install the RPM), or a stand-in
 * installer under test/boot/image/usr/lib/boot-harness/stand-ins/, or both.
 *
 * A package that is not in the table fails the install the way dnf does
 * ("No match for argument"), so a template that names a package no instance
 * could install fails the boot test too. Every substitution used in a boot is
 * printed in its log (`boot-harness: dnf …`).
 */
export interface PackageSubstitution {
  /** The AL2023 package name, as templates write it. */
  readonly al2023: string;
  /** What stands in for it, in words, for the test's output and the docs. */
  readonly standsInAs: string;
  /** Debian packages installed (offline, with their dependencies) in its place. @default none */
  readonly debian?: readonly string[];
  /** Stand-in installer run after the Debian packages (a script in the image). @default none */
  readonly standIn?: string;
}

export const PACKAGE_SUBSTITUTIONS: readonly PackageSubstitution[] = [
  {
    al2023: 'aws-cfn-bootstrap',
    standsInAs: 'the boot harness cfn-init, cfn-signal and cfn-hup (test/boot/cfn-bootstrap) in /opt/aws/bin, same options and semantics',
    standIn: 'aws-cfn-bootstrap',
  },
  {
    al2023: 'nodejs22',
    standsInAs: "this machine's Node.js binary as /usr/bin/node-22 (the version the tests run on, not necessarily 22)",
    standIn: 'nodejs22',
  },
  {
    al2023: 'postgresql16-server',
    standsInAs:
      "Debian's postgresql-15, with AL2023's postgresql.service (PGDATA from the unit's environment), postgresql-setup --initdb and postgresql-check-db-dir",
    debian: ['postgresql-15'],
    standIn: 'postgresql16-server',
  },
  { al2023: 'logrotate', standsInAs: "Debian's logrotate", debian: ['logrotate'] },
  {
    al2023: 'amazon-cloudwatch-agent',
    standsInAs: 'a stand-in amazon-cloudwatch-agent-ctl that checks the configuration it is given and ships nothing',
    standIn: 'amazon-cloudwatch-agent',
  },
];

/**
 * Packages the AL2023 AMI already has (so templates never install them), from
 * Debian, in the base image: systemd as PID 1, useradd/groupadd (passwd),
 * sudo, curl, mkfs.xfs and blkid, ps, ip.
 */
export const BASE_IMAGE_PACKAGES: readonly string[] = ['systemd', 'systemd-sysv', 'dbus', 'passwd', 'sudo', 'curl', 'xfsprogs', 'procps', 'iproute2'];

/** Debian packages the image keeps in its apt cache so that the table's installs work offline. */
export function repositoryPackages(): string[] {
  return [...new Set(PACKAGE_SUBSTITUTIONS.flatMap((p) => p.debian ?? []))].sort();
}

/**
 * The table as the image's dnf shim reads it: one line per package,
 * `name<TAB>debian packages (comma-separated)<TAB>stand-in<TAB>description`.
 */
export function packageTableTsv(): string {
  return PACKAGE_SUBSTITUTIONS.map((p) => [p.al2023, (p.debian ?? []).join(','), p.standIn ?? '', p.standsInAs].join('\t') + '\n').join('');
}
