import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/** EBS volumes carrying this tag (key and value) are backed up daily. */
export const BACKUP_TAG = { key: 'graminsta:backup', value: 'daily' } as const;

export interface VolumeBackupProps {
  /** Days each daily recovery point is kept. @default 7 */
  readonly retentionDays?: number;
}

/**
 * Daily AWS Backup of every volume tagged with `BACKUP_TAG`: at stage 1 the
 * instance's data volume holds PostgreSQL and the photos, so it gets what RDS
 * gives from stage 10 on (automated backups kept at least 7 days). Selection by
 * tag keeps this stack free of references to the App stack. The vault is
 * retained: it holds the recovery points.
 */
export class VolumeBackup extends Construct {
  public readonly vault: backup.BackupVault;
  public readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: VolumeBackupProps = {}) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? 7;
    if (retentionDays < 7) throw new Error(`retentionDays must be at least 7, got ${retentionDays}`);
    this.vault = new backup.BackupVault(this, 'Vault', { removalPolicy: RemovalPolicy.RETAIN });
    this.plan = new backup.BackupPlan(this, 'Plan', { backupVault: this.vault });
    this.plan.addRule(
      new backup.BackupPlanRule({
        ruleName: 'Daily',
        scheduleExpression: events.Schedule.cron({ minute: '0', hour: '3' }),
        deleteAfter: Duration.days(retentionDays),
      }),
    );
    this.plan.addSelection('TaggedVolumes', {
      resources: [backup.BackupResource.fromTag(BACKUP_TAG.key, BACKUP_TAG.value)],
    });
  }
}
