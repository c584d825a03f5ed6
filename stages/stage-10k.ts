import { MAX_UPLOAD_BYTES } from '../contracts/photo-uploads';
import type { StageSpec } from './stage-spec';
import { rds, stage1k } from './stage-1k';

/** Media through the CDN, presigned browser uploads, thumbnails by Lambda. */
export const stage10k: StageSpec = {
  ...stage1k,
  name: '10k',
  users: 10_000,
  summary: 'Media through the CDN: the uploads bucket becomes a second CloudFront origin (/media/*); browsers upload with presigned POSTs; a Lambda makes thumbnails.',
  compute: { kind: 'fleet', instanceType: 't4g.medium', rootVolumeGiB: 20, minCapacity: 2, maxCapacity: 6, targetCpuPercent: 50 },
  database: { ...rds(stage1k), instanceClass: 'db.t4g.medium', allocatedStorageGiB: 50, maxAllocatedStorageGiB: 500 },
  uploads: {
    viaCdn: true,
    presignedBrowserUploads: true,
    thumbnails: { memoryMiB: 1024, maxWidthPx: 640 },
    maxUploadBytes: MAX_UPLOAD_BYTES,
  },
  monitoring: {
    ...stage1k.monitoring,
    // The primary's CPU (reads and writes, no replicas yet) runs out before the fleet's (npm run plan, docs/capacity.md).
    climb: { kind: 'database-cpu', cpuPercent: 48 },
  },
  replaces: undefined,
};
