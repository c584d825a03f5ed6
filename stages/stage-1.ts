import type { StageSpec } from './stage-spec';

/** One EC2 instance runs the API and PostgreSQL and serves the web client, behind CloudFront (HTTPS). */
export const stage1: StageSpec = {
  name: '1',
  users: 1,
  summary: 'One EC2 instance runs the API, PostgreSQL (on its own encrypted EBS volume) and serves the web client, behind CloudFront: HTTPS only, the instance accepts only CloudFront; SSM access, no SSH.',
  network: { natGateways: 0 },
  edge: { priceClass: 'PriceClass_100' },
  compute: { kind: 'single-instance', instanceType: 't4g.small', rootVolumeGiB: 20 },
  database: { kind: 'on-instance', volumeGiB: 20 },
  monitoring: {
    cpuAlarmPercent: 80,
    latencyAlarmSeconds: 1,
    // Hour-long windows: at a few hundred users the busiest hour holds about a thousand requests (docs/metrics.md).
    requests: { windowMinutes: 60, windows: 1, minRequests: 500, serverErrorPercent: 5 },
    climb: { kind: 'data-volume-full' },
    logRetentionDays: 30,
  },
};
