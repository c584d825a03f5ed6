import { cacheNodeIds } from '../../../../lib/constructs/monitoring/cache-alarms';

describe('cache alarms', () => {
  test('cache node IDs follow ElastiCache cluster-mode naming', () => {
    expect(cacheNodeIds('grp', 2, 1)).toEqual(['grp-0001-001', 'grp-0001-002', 'grp-0002-001', 'grp-0002-002']);
  });
});
