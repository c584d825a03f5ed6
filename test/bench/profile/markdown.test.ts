import { renderProfiles } from '../../../bench/profile/markdown';
import type { ScenarioProfile } from '../../../bench/profile/profile-scenarios';

const profile = (id: string, side: 'api' | 'baseline', busyMs: number, requests: number, baselineId?: string): ScenarioProfile => ({
  scenario: { id, title: id, connections: 10, side, baselineId },
  requests,
  errors: 0,
  threads: 1,
  summary: { busyMs, idleMs: 0, categories: [{ name: 'pino', ms: busyMs, share: 1 }], functions: [{ name: 'a|b', where: 'x.ts:1', category: 'pino', ms: busyMs, share: 1 }] },
});

describe('profile summary markdown', () => {
  test('an API scenario states its CPU per request against its baseline; pipes in names are escaped', () => {
    const md = renderProfiles([profile('baseline-http', 'baseline', 500, 10_000), profile('api-user-cached', 'api', 1500, 10_000, 'baseline-http')], ['header line']);
    expect(md).toContain('## _baseline_ baseline-http');
    expect(md).toContain('CPU per request: 150 µs against 50 µs for baseline-http (3.00×).');
    expect(md).toContain('| a\\|b | x.ts:1 | 100.0% |');
  });
});
