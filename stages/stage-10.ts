import type { StageSpec } from './stage-spec';
import { stage1 } from './stage-1';

/** The database moves to managed RDS PostgreSQL; the instance keeps the API. */
export const stage10: StageSpec = {
  ...stage1,
  name: '10',
  users: 10,
  summary: 'The database moves to managed RDS PostgreSQL: automated backups, encryption, deletion protection, credentials in Secrets Manager.',
  database: {
    kind: 'rds',
    engineMajorVersion: '16',
    instanceClass: 'db.t4g.micro',
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    multiAz: false,
    backupRetentionDays: 7,
    readReplicas: 0,
    primaries: 1,
    credentialRotationDays: 30,
    enhancedMonitoringSeconds: 60,
  },
  replaces: { 'database:on-instance': 'database:rds' },
};
