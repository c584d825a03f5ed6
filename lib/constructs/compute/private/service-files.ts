import { COPY_STATE_SCHEMA, STAGE_ONE_RECORD_FILE } from '../../../../contracts/stage-one-copy';
import { API_PATHS } from '../api-paths';

/**
 * Text of the files cfn-init writes on API instances. Kept as plain functions
 * so tests can read them; every script is idempotent because cfn-hup re-runs
 * cfn-init on the single instance whenever its metadata changes.
 */

/** Node.js from the AL2023 repositories; the namespaced binary keeps the major version fixed. */
export const NODE_PACKAGE = 'nodejs22';
export const NODE_BINARY = '/usr/bin/node-22';
/** Same major version as the RDS engine of stage 10, so the 1→10 dump/restore is like for like. */
export const POSTGRES_PACKAGE = 'postgresql16-server';

export interface ApiServiceUnitOptions {
  /**
   * The instance has the data volume at DATA_DIR (stages 1 to 100): the API starts only once it
   * is mounted, so that after a reboot it never writes photos onto the root volume under the
   * empty mount point. @default false
   */
  readonly dataVolume?: boolean;
}

/** The API's systemd unit: unprivileged user, port 80 through a capability, restart on failure. */
export function apiServiceUnit(options: ApiServiceUnitOptions = {}): string {
  return `[Unit]
Description=Graminsta API
After=network-online.target postgresql.service
Wants=network-online.target
${options.dataVolume ? `RequiresMountsFor=${API_PATHS.dataDir}\n` : ''}
[Service]
Type=simple
User=${API_PATHS.user}
Group=${API_PATHS.user}
EnvironmentFile=${API_PATHS.envFile}
WorkingDirectory=${API_PATHS.apiDir}
ExecStart=${NODE_BINARY} --enable-source-maps ${API_PATHS.apiDir}/server.js
Restart=on-failure
RestartSec=2
# Port 80 without root.
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true
ReadWritePaths=-${API_PATHS.dataDir}
# Stage 1: PostgreSQL's Unix socket (the '-' skips it where it does not exist).
ReadWritePaths=-/run/postgresql
# systemd opens the log file as root; the CloudWatch agent ships it.
StandardOutput=append:${API_PATHS.logFile}
StandardError=append:${API_PATHS.logFile}

[Install]
WantedBy=multi-user.target
`;
}

/**
 * The queue worker's systemd unit (stage 1m): the same bundle, user,
 * environment file and sandbox as the API, but `worker.js`, no port and no
 * capability. SIGTERM lets it finish (or give back) the jobs in hand: systemd
 * waits TimeoutStopSec before SIGKILL, longer than one job may run, and a job
 * cut short anyway reappears on the queue after its visibility timeout.
 */
export function workerServiceUnit(jobTimeoutSeconds: number): string {
  return `[Unit]
Description=Graminsta queue worker
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${API_PATHS.user}
Group=${API_PATHS.user}
EnvironmentFile=${API_PATHS.envFile}
WorkingDirectory=${API_PATHS.apiDir}
ExecStart=${NODE_BINARY} --enable-source-maps ${API_PATHS.apiDir}/worker.js
Restart=always
RestartSec=2
KillSignal=SIGTERM
TimeoutStopSec=${jobTimeoutSeconds + 10}
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true
StandardOutput=append:${API_PATHS.workerLogFile}
StandardError=append:${API_PATHS.workerLogFile}

[Install]
WantedBy=multi-user.target
`;
}

/** Daily rotation (of the worker's log too, where it runs); copytruncate because systemd keeps the file open. */
export function apiLogrotate(options: { readonly worker?: boolean } = {}): string {
  return `${API_PATHS.logFile}${options.worker ? ` ${API_PATHS.workerLogFile}` : ''} {
  daily
  rotate 7
  compress
  missingok
  notifempty
  copytruncate
}
`;
}

/** Which dimension identifies the host(s) in CloudWatch metrics. */
export type MetricsScope = 'InstanceId' | 'AutoScalingGroupName';

/**
 * CloudWatch agent configuration: the API log to `logGroupName`; memory and
 * disk usage (of `/` and each path in `diskPaths`) aggregated by `scope`.
 */
export function cloudWatchAgentConfig(
  logGroupName: string,
  scope: MetricsScope,
  diskPaths: readonly string[],
  options: { readonly worker?: boolean } = {},
): Record<string, unknown> {
  return {
    agent: { metrics_collection_interval: 60, run_as_user: 'root', omit_hostname: true },
    metrics: {
      namespace: 'CWAgent',
      append_dimensions: { [scope]: `\${aws:${scope}}` },
      aggregation_dimensions: [[scope], [scope, 'path']],
      metrics_collected: {
        mem: { measurement: ['mem_used_percent'] },
        disk: { measurement: ['used_percent'], resources: ['/', ...diskPaths], drop_device: true },
      },
    },
    logs: {
      logs_collected: {
        files: {
          collect_list: [
            { file_path: API_PATHS.logFile, log_group_name: logGroupName, log_stream_name: '{instance_id}', retention_in_days: -1 },
            ...(options.worker
              ? [{ file_path: API_PATHS.workerLogFile, log_group_name: logGroupName, log_stream_name: '{instance_id}/worker', retention_in_days: -1 }]
              : []),
          ],
        },
      },
    },
  };
}

/**
 * The data volume's filesystem label. XFS labels hold at most 12 characters (mkfs.xfs refuses a
 * longer one, so a longer label would fail the first boot on a blank volume).
 */
export const DATA_VOLUME_LABEL = 'graminsta';

/**
 * Mounts the data volume at DATA_DIR. It finds the volume by its ID under /dev/disk/by-id: Nitro
 * instances expose EBS volumes as NVMe devices whose names do not follow the requested device
 * name, and udev names each after its serial, which is the volume ID without its dash
 * (`vol-0abc…` → `vol0abc…`); the dash is removed here, at run time, because the ID is only known
 * then (a CloudFormation reference at synth). It creates a filesystem ONLY when the device carries
 * no signature at all (never reformats), and mounts by UUID through fstab so the mount survives
 * reboots. `nofail` keeps a boot without the volume reachable (Session Manager); the services
 * that use the volume wait for the mount instead (RequiresMountsFor=).
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/identify-nvme-ebs-device.html
 */
export function mountDataVolumeScript(volumeId: string): string {
  return `#!/bin/bash
set -euo pipefail
volume_id=${volumeId}
dev=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_\${volume_id/-/}
for _ in $(seq 1 60); do [ -e "$dev" ] && break; sleep 2; done
if [ ! -e "$dev" ]; then echo "data volume $volume_id is not attached: no $dev" >&2; ls -l /dev/disk/by-id >&2 || true; exit 1; fi
# blkid -p prints nothing only for a blank device: no filesystem, no partition table.
if [ -z "$(blkid -p -o export "$dev" || true)" ]; then mkfs.xfs -L ${DATA_VOLUME_LABEL} "$dev"; fi
uuid=$(blkid -s UUID -o value "$dev")
mkdir -p ${API_PATHS.dataDir}
grep -q "UUID=$uuid" /etc/fstab || echo "UUID=$uuid ${API_PATHS.dataDir} xfs defaults,nofail 0 2" >> /etc/fstab
systemctl daemon-reload
mountpoint -q ${API_PATHS.dataDir} || mount ${API_PATHS.dataDir}
chown ${API_PATHS.user}:${API_PATHS.user} ${API_PATHS.dataDir}
chmod 751 ${API_PATHS.dataDir}
`;
}

/** Where the stage-1 PostgreSQL keeps its files: on the data volume. */
export const POSTGRES_DATA_DIR = `${API_PATHS.dataDir}/postgresql`;

/** The stage-1 database's row counts, recorded when the instance leaves stage 1 (contracts/stage-one-copy.ts). */
const STAGE_ONE_RECORD = `${API_PATHS.dataDir}/${STAGE_ONE_RECORD_FILE}`;

/**
 * One JSON object: `{"recordedAt": ..., "tables": {"public.users": 12, ...}}`,
 * every table outside the system schemas and db-copy's own, named as
 * db-copy's verification names them (schema.table, unquoted). Double quotes
 * are avoided: the query travels inside a double-quoted shell argument.
 */
export const STAGE_ONE_RECORD_QUERY =
  "SELECT json_build_object('recordedAt', now(), 'tables', coalesce(json_object_agg(table_schema || '.' || table_name, " +
  "(xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text::bigint), '{}'::json)) " +
  `FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema', '${COPY_STATE_SCHEMA}')`;

/**
 * Stage 1: PostgreSQL on the data volume, listening on the Unix socket only,
 * peer authentication for the OS user `graminsta` (no password anywhere).
 */
export function setupPostgresScript(): string {
  return `#!/bin/bash
set -euo pipefail
mkdir -p /etc/systemd/system/postgresql.service.d
# PGDATA on the data volume, and after a reboot PostgreSQL waits for the volume to be mounted.
printf '[Unit]\\nRequiresMountsFor=${POSTGRES_DATA_DIR}\\n\\n[Service]\\nEnvironment=PGDATA=${POSTGRES_DATA_DIR}\\n' > /etc/systemd/system/postgresql.service.d/graminsta.conf
systemctl daemon-reload
install -d -o postgres -g postgres -m 700 ${POSTGRES_DATA_DIR}
if [ ! -s ${POSTGRES_DATA_DIR}/PG_VERSION ]; then postgresql-setup --initdb; fi
sed -i "s/^#\\?listen_addresses.*/listen_addresses = ''/" ${POSTGRES_DATA_DIR}/postgresql.conf
printf 'local all all peer\\n' > ${POSTGRES_DATA_DIR}/pg_hba.conf
chown postgres:postgres ${POSTGRES_DATA_DIR}/pg_hba.conf
chmod 600 ${POSTGRES_DATA_DIR}/pg_hba.conf
systemctl enable postgresql
systemctl restart postgresql
cd /
sudo -u postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '${API_PATHS.user}'" | grep -q 1 || sudo -u postgres createuser ${API_PATHS.user}
sudo -u postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname = '${API_PATHS.user}'" | grep -q 1 || sudo -u postgres createdb -O ${API_PATHS.user} ${API_PATHS.user}
# This database serves again (a first boot, or a rollback from stage 10): a record of it from leaving stage 1 is stale.
rm -f ${STAGE_ONE_RECORD}
`;
}

/**
 * From stage 10: the database is RDS. The local server stops for good, but its
 * files stay on the volume for the 1→10 migration and a rollback.
 */
export function stopPostgresScript(): string {
  return `#!/bin/bash
set -euo pipefail
# Before the local server stops for good, record how many rows each of its tables
# holds (once: the first run after stage 1). The API at this stage compares the
# record with what db-copy verified in RDS, and refuses to serve while rows were
# never copied (contracts/stage-one-copy.ts, docs/runbooks/1-to-10.md).
if [ -s ${POSTGRES_DATA_DIR}/PG_VERSION ] && [ ! -s ${STAGE_ONE_RECORD} ]; then
  cd /
  systemctl start postgresql.service
  for _ in $(seq 1 30); do sudo -u postgres psql -XtAc 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
  if sudo -u postgres psql -XtAc "SELECT 1 FROM pg_database WHERE datname = '${API_PATHS.user}'" | grep -q 1; then
    sudo -u postgres psql -d ${API_PATHS.user} -XtA -v ON_ERROR_STOP=1 -c "${STAGE_ONE_RECORD_QUERY}" > ${STAGE_ONE_RECORD}.tmp
  else
    echo '{"tables": {}}' > ${STAGE_ONE_RECORD}.tmp
  fi
  chmod 644 ${STAGE_ONE_RECORD}.tmp
  mv ${STAGE_ONE_RECORD}.tmp ${STAGE_ONE_RECORD}
fi
if systemctl list-unit-files postgresql.service >/dev/null 2>&1; then
  systemctl disable --now postgresql.service || true
fi
`;
}

/** Blocks until the API answers `/healthz` locally, so the CloudFormation signal means "serving". */
export function waitForHealthScript(port: number): string {
  return `#!/bin/bash
set -euo pipefail
for _ in $(seq 1 90); do
  if curl -fsS --max-time 2 http://127.0.0.1:${port}/healthz >/dev/null; then exit 0; fi
  sleep 2
done
echo "the API did not answer /healthz within 3 minutes" >&2
journalctl -u ${API_PATHS.serviceName} -n 50 --no-pager >&2 || true
exit 1
`;
}

/**
 * Fails unless the worker service has stayed up for a few seconds, so a
 * worker that exits at start (bad configuration, a missing worker.js) fails
 * the instance's signal and rolls the deployment back, like a sick API.
 */
export function waitForWorkerScript(): string {
  return `#!/bin/bash
set -euo pipefail
sleep 10
if systemctl is-active --quiet ${API_PATHS.workerServiceName} && [ "$(systemctl show -p NRestarts --value ${API_PATHS.workerServiceName})" = "0" ]; then exit 0; fi
echo "the queue worker is not running steadily" >&2
tail -n 50 ${API_PATHS.workerLogFile} >&2 || true
exit 1
`;
}

/** cfn-hup's systemd unit (the shape the CloudFormation docs give for Amazon Linux 2 and later). */
export function cfnHupServiceUnit(): string {
  return `[Unit]
Description=cfn-hup daemon: applies CloudFormation metadata updates
After=network-online.target

[Service]
Type=simple
ExecStart=/opt/aws/bin/cfn-hup
Restart=always

[Install]
WantedBy=multi-user.target
`;
}
