import { Aws } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { ApiBundle, WebClientBundle } from '../constructs/api-delivery/api-bundle';
import { API_PATHS, type ApiRuntimeConfig } from '../constructs/api-delivery/api-environment';
import { API_PORT } from '../constructs/api-delivery/api-port';
import { ApiServer } from '../constructs/api-server/api-server';
import type { SecurityGroups } from '../constructs/network/security-groups';
import type { DatabaseEndpoints } from './data-stack';
import { retentionDays } from './retention';
import { StageStack, type StageStackProps } from './stage-stack';

export interface AppStackProps extends StageStackProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroups: SecurityGroups;
  /** Absent at stage 1 (PostgreSQL on the instance). */
  readonly database?: DatabaseEndpoints;
  /** A prebuilt API bundle directory instead of building `api/`. @default builds it */
  readonly apiBundleDir?: string;
}

/** PostgreSQL on the instance, over its Unix socket with peer authentication: no password. */
const LOCAL_DATABASE_URL = 'postgres:///graminsta?host=/run/postgresql';

/**
 * `<app>-App`: the API compute (one instance through stage 100, a fleet behind
 * a load balancer from 1k), the buckets, CloudFront and the Lambda functions.
 */
export class AppStack extends StageStack {
  public readonly server?: ApiServer;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { spec, vpc, database } = props;
    // Referenced, never modified here: every rule lives in the Network stack.
    const apiSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'ApiSecurityGroup', props.securityGroups.api.securityGroupId, {
      mutable: false,
    });
    const apiBundle = new ApiBundle(this, 'ApiBundle', { prebuiltDir: props.apiBundleDir });
    const logRetention = retentionDays(spec.monitoring.logRetentionDays);

    const config: ApiRuntimeConfig = {
      port: API_PORT,
      databaseUrl: spec.database.kind === 'on-instance' ? LOCAL_DATABASE_URL : undefined,
      databaseSecretArn: database?.secret.secretArn,
      databaseReplicaHosts: database?.replicaHosts,
      shardMapParameter: database?.shardMap?.parameterName,
      awsRegion: database ? Aws.REGION : undefined,
    };

    if (spec.compute.kind === 'single-instance') {
      // Stages 1-100 keep photo files (and at 1 PostgreSQL) on the instance's data volume.
      const volumeGiB = spec.database.kind === 'on-instance' ? spec.database.volumeGiB : 20;
      this.server = new ApiServer(this, 'ApiServer', {
        vpc,
        securityGroup: apiSecurityGroup,
        instanceType: spec.compute.instanceType,
        rootVolumeGiB: spec.compute.rootVolumeGiB,
        dataVolumeGiB: volumeGiB,
        apiBundle: apiBundle.asset,
        webClient: spec.site ? undefined : new WebClientBundle(this, 'WebClient').asset,
        config: {
          ...config,
          dataDir: API_PATHS.dataDir,
          webRoot: spec.site ? undefined : API_PATHS.webRoot,
        },
        localPostgres: spec.database.kind === 'on-instance' ? 'run' : 'stop',
        logRetention,
      });
      if (database) {
        for (const secret of database.allSecrets) secret.grantRead(this.server.role);
      }
    }
  }
}
