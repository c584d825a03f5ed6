import { cacheNodeIds } from '../../../../lib/constructs/monitoring/cache-alarms';
import { defaultMaxConnections } from '../../../../lib/constructs/monitoring/database-alarms';
import { LADDER } from '../../../../stages/ladder';

describe('alarm helpers', () => {
  test('cache node IDs follow ElastiCache cluster-mode naming', () => {
    expect(cacheNodeIds('grp', 2, 1)).toEqual(['grp-0001-001', 'grp-0001-002', 'grp-0002-001', 'grp-0002-002']);
  });

  test('max_connections follows RDS PostgreSQL’s default formula', () => {
    // LEAST(DBInstanceClassMemory/9531392, 5000)
    expect(defaultMaxConnections('db.t4g.micro')).toBe(112);
    expect(defaultMaxConnections('db.r7g.xlarge')).toBe(3604);
  });

  test('knows the memory of every RDS class a stage uses, and refuses an unknown one', () => {
    for (const spec of LADDER) {
      if (spec.database.kind === 'rds') expect(defaultMaxConnections(spec.database.instanceClass)).toBeGreaterThan(0);
    }
    expect(() => defaultMaxConnections('db.x99.huge')).toThrow(/unknown RDS class "db.x99.huge"/);
  });
});
