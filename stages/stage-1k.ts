import { MAX_UPLOAD_BYTES } from '../contracts/photo-uploads';
import type { StageSpec } from './stage-spec';
import { stage100 } from './stage-100';

/** Horizontal scaling: ALB + Auto Scaling group, stateless web tier, S3 uploads, Multi-AZ RDS. */
export const stage1k: StageSpec = {
  ...stage100,
  name: '1k',
  users: 1_000,
  summary: 'Horizontal scaling: an ALB in front of an Auto Scaling group (2+ instances in 2 AZs); photos move to an S3 uploads bucket; RDS becomes Multi-AZ.',
  network: { natGateways: 1 },
  compute: { kind: 'fleet', instanceType: 't4g.small', rootVolumeGiB: 20, minCapacity: 2, maxCapacity: 4, targetCpuPercent: 50 },
  database: { ...rds(stage100), instanceClass: 'db.t4g.small', multiAz: true },
  uploads: { viaCdn: false, presignedBrowserUploads: false, maxUploadBytes: MAX_UPLOAD_BYTES },
  monitoring: {
    ...stage100.monitoring,
    requests: { windowMinutes: 15, windows: 2, minRequests: 500, serverErrorPercent: 2 },
    // The primary's memory (2 GiB) runs out before the fleet's CPU (npm run plan, docs/capacity.md).
    climb: { kind: 'database-memory', readIops: 1000 },
  },
  replaces: { 'compute:single-instance': 'compute:fleet' },
};

/** The RDS part of a stage's database spec (throws if the stage has none). */
export function rds(stage: StageSpec): Extract<StageSpec['database'], { kind: 'rds' }> {
  if (stage.database.kind !== 'rds') throw new Error(`stage ${stage.name} has no RDS database`);
  return stage.database;
}
