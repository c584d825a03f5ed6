import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { API_PATHS } from '../api-paths';
import { type ApiRuntimeConfig, envFileContent } from './api-environment';
import {
  apiLogrotate,
  apiServiceUnit,
  cfnHupServiceUnit,
  cloudWatchAgentConfig,
  type MetricsScope,
  mountDataVolumeScript,
  NODE_PACKAGE,
  POSTGRES_PACKAGE,
  setupPostgresScript,
  stopPostgresScript,
  waitForHealthScript,
  waitForWorkerScript,
  workerServiceUnit,
} from './service-files';

/** @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html#UsingWithRDS.SSL.CertificatesAllRegions */
export const RDS_CA_BUNDLE_URL = 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem';

/** What the instance does with PostgreSQL on its data volume. */
export type LocalPostgres = 'run' | 'stop';

export interface ApiInitProps {
  /** Zip of the API bundle (`server.js`), unpacked into /opt/graminsta/api. */
  readonly apiBundle: s3assets.Asset;
  /** Zip of the web client, unpacked into /opt/graminsta/web, when the API serves it. @default none */
  readonly webClient?: s3assets.Asset;
  readonly config: ApiRuntimeConfig;
  /**
   * What cfn-init writes to the env file: the instance reads it through an SSM
   * parameter (`ApiEnvironmentParameter.fileContent`) so that no other stack's
   * output is read in metadata. @default `envFileContent(config)` written as is
   */
  readonly envFile?: string;
  /** Log group the CloudWatch agent ships the API log to. */
  readonly logGroupName: string;
  readonly metricsScope: MetricsScope;
  /**
   * The data volume's ID: mounted at DATA_DIR. Only for the single instance.
   * @default no data volume
   */
  readonly dataVolumeId?: string;
  /** @default no local PostgreSQL */
  readonly localPostgres?: LocalPostgres;
  /**
   * Makes cfn-hup watch this resource's metadata and re-run cfn-init when it
   * changes: how the single instance takes a new bundle or configuration in
   * place. @default no cfn-hup (the fleet rolls instead)
   */
  readonly cfnHup?: { readonly stackId: string; readonly region: string; readonly resourceLogicalId: string };
  /**
   * Runs the queue worker (`worker.js` of the same bundle) as a second
   * service beside the API, with the same environment file. @default no worker
   */
  readonly worker?: { readonly jobTimeoutSeconds: number };
}

/**
 * One configset with always the same configs in the same order, so the
 * cfn-init command in user data never changes between stages or bundles; what
 * a config contains follows the stage.
 */
export const API_CONFIG_SET = 'graminsta';
export const API_CONFIGS = ['base', 'volume', 'database', 'api', 'agent', 'hup', 'verify'] as const;

/**
 * Builds the CloudFormation Init metadata that installs and runs the API on an
 * Amazon Linux 2023 instance: packages and the service user, the data volume,
 * the stage-1 PostgreSQL, the API bundle with its env file and systemd unit
 * (restarted when any of them changes), the CloudWatch agent, cfn-hup, and a
 * final wait for `/healthz`.
 */
export function apiCloudFormationInit(props: ApiInitProps): ec2.CloudFormationInit {
  const apiRestart = new ec2.InitServiceRestartHandle();
  const workerRestart = new ec2.InitServiceRestartHandle();
  // What the worker shares with the API (bundle, certificates, env file) restarts both.
  const bundleRestarts = props.worker ? [apiRestart, workerRestart] : [apiRestart];
  const hupRestart = new ec2.InitServiceRestartHandle();
  const script = (path: string, content: string) => ec2.InitFile.fromString(path, content, { mode: '000750', owner: 'root', group: 'root' });
  // A config that does nothing keeps its place in the fixed list.
  const noop = () => new ec2.InitConfig([ec2.InitCommand.shellCommand('true')]);

  const base = new ec2.InitConfig([
    ec2.InitPackage.yum(NODE_PACKAGE),
    ec2.InitPackage.yum('amazon-cloudwatch-agent'),
    ec2.InitPackage.yum('logrotate'),
    ...(props.localPostgres === 'run' ? [ec2.InitPackage.yum(POSTGRES_PACKAGE)] : []),
    // The service user alone: cfn-init runs `useradd` without `-g`, and with USERGROUPS_ENAB (as on
    // AL2023) that creates the group of the same name; declaring the group too makes useradd refuse
    // ("group graminsta exists") and the first boot fail.
    ec2.InitUser.fromName(API_PATHS.user),
    ec2.InitFile.fromString('/etc/logrotate.d/graminsta', apiLogrotate({ worker: props.worker !== undefined })),
    ec2.InitCommand.shellCommand(`install -d -m 755 /var/log/graminsta /etc/graminsta ${API_PATHS.apiDir}`),
  ]);

  const volume = props.dataVolumeId
    ? new ec2.InitConfig([
        script('/usr/local/sbin/graminsta-mount-data', mountDataVolumeScript(props.dataVolumeId)),
        ec2.InitCommand.shellCommand('/usr/local/sbin/graminsta-mount-data'),
      ])
    : noop();

  const database =
    props.localPostgres === 'run'
      ? new ec2.InitConfig([
          script('/usr/local/sbin/graminsta-setup-postgres', setupPostgresScript()),
          ec2.InitCommand.shellCommand('/usr/local/sbin/graminsta-setup-postgres'),
        ])
      : props.localPostgres === 'stop'
        ? new ec2.InitConfig([
            script('/usr/local/sbin/graminsta-stop-postgres', stopPostgresScript()),
            ec2.InitCommand.shellCommand('/usr/local/sbin/graminsta-stop-postgres'),
          ])
        : noop();

  const api = new ec2.InitConfig([
    ec2.InitSource.fromExistingAsset(API_PATHS.apiDir, props.apiBundle, { serviceRestartHandles: bundleRestarts }),
    ...(props.webClient
      ? [ec2.InitSource.fromExistingAsset(API_PATHS.webRoot, props.webClient, { serviceRestartHandles: [apiRestart] })]
      : []),
    ...(props.config.databaseCaFile
      ? [
          // The RDS certificate bundle, so the API verifies the database's TLS certificate.
          ec2.InitFile.fromUrl(props.config.databaseCaFile, RDS_CA_BUNDLE_URL, { mode: '000644', owner: 'root', group: 'root', serviceRestartHandles: bundleRestarts }),
        ]
      : []),
    ec2.InitFile.fromString(API_PATHS.envFile, props.envFile ?? envFileContent(props.config), {
      mode: '000640',
      owner: 'root',
      group: API_PATHS.user,
      serviceRestartHandles: bundleRestarts,
    }),
    ec2.InitFile.fromString(`/etc/systemd/system/${API_PATHS.serviceName}.service`, apiServiceUnit({ dataVolume: props.dataVolumeId !== undefined }), {
      serviceRestartHandles: [apiRestart],
    }),
    ...(props.worker
      ? [
          ec2.InitFile.fromString(`/etc/systemd/system/${API_PATHS.workerServiceName}.service`, workerServiceUnit(props.worker.jobTimeoutSeconds), {
            serviceRestartHandles: [workerRestart],
          }),
        ]
      : []),
    ec2.InitCommand.shellCommand('systemctl daemon-reload'),
    ec2.InitService.enable(API_PATHS.serviceName, { serviceManager: ec2.ServiceManager.SYSTEMD, serviceRestartHandle: apiRestart }),
    ...(props.worker
      ? [ec2.InitService.enable(API_PATHS.workerServiceName, { serviceManager: ec2.ServiceManager.SYSTEMD, serviceRestartHandle: workerRestart })]
      : []),
  ]);

  const agentConfigPath = '/opt/aws/amazon-cloudwatch-agent/etc/graminsta.json';
  const agent = new ec2.InitConfig([
    ec2.InitFile.fromObject(
      agentConfigPath,
      cloudWatchAgentConfig(props.logGroupName, props.metricsScope, props.dataVolumeId ? [API_PATHS.dataDir] : [], { worker: props.worker !== undefined }),
    ),
    ec2.InitCommand.shellCommand(
      `/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:${agentConfigPath}`,
    ),
  ]);

  const hup = props.cfnHup
    ? new ec2.InitConfig([
        ec2.InitFile.fromString(
          '/etc/cfn/cfn-hup.conf',
          `[main]\nstack=${props.cfnHup.stackId}\nregion=${props.cfnHup.region}\ninterval=1\n`,
          { mode: '000400', owner: 'root', group: 'root', serviceRestartHandles: [hupRestart] },
        ),
        ec2.InitFile.fromString(
          '/etc/cfn/hooks.d/graminsta-reloader.conf',
          [
            '[graminsta-reloader]',
            'triggers=post.update',
            `path=Resources.${props.cfnHup.resourceLogicalId}.Metadata.AWS::CloudFormation::Init`,
            `action=/opt/aws/bin/cfn-init -v --stack ${props.cfnHup.stackId} --resource ${props.cfnHup.resourceLogicalId} --configsets ${API_CONFIG_SET} --region ${props.cfnHup.region}`,
            'runas=root',
            '',
          ].join('\n'),
          { mode: '000400', owner: 'root', group: 'root', serviceRestartHandles: [hupRestart] },
        ),
        ec2.InitFile.fromString('/etc/systemd/system/cfn-hup.service', cfnHupServiceUnit(), { serviceRestartHandles: [hupRestart] }),
        ec2.InitCommand.shellCommand('systemctl daemon-reload'),
        ec2.InitService.enable('cfn-hup', { serviceManager: ec2.ServiceManager.SYSTEMD, serviceRestartHandle: hupRestart }),
      ])
    : noop();

  const verify = new ec2.InitConfig([
    script('/usr/local/sbin/graminsta-wait-healthy', waitForHealthScript(props.config.port)),
    ec2.InitCommand.shellCommand('/usr/local/sbin/graminsta-wait-healthy'),
    ...(props.worker
      ? [
          script('/usr/local/sbin/graminsta-wait-worker', waitForWorkerScript()),
          ec2.InitCommand.shellCommand('/usr/local/sbin/graminsta-wait-worker'),
        ]
      : []),
  ]);

  const configs = { base, volume, database, api, agent, hup, verify };
  return ec2.CloudFormationInit.fromConfigSets({
    configSets: { [API_CONFIG_SET]: [...API_CONFIGS] },
    configs,
  });
}
