import type { StageSpec } from './stage-spec';
import { stage10 } from './stage-10';

/** The web client splits from the API: S3 + CloudFront, `/api/*` to the instance. */
export const stage100: StageSpec = {
  ...stage10,
  name: '100',
  users: 100,
  summary: 'The web client splits from the API: a static build in a private S3 bucket behind the same CloudFront distribution (origin access control); /api/* goes to the API.',
  site: { noncurrentVersionDays: 30 },
  edge: { ...stage10.edge, firewall: { commonRuleSet: 'count', signInRequestsPerFiveMinutes: 300 } },
  replaces: undefined,
};
