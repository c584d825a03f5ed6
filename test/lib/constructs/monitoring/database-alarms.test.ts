import { defaultMaxConnections } from '../../../../lib/constructs/monitoring/database-alarms';
import { LADDER } from '../../../../stages/ladder';

describe('database alarms', () => {
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
