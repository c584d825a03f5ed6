/**
 * Stage 10m in the plan: the second region priced with its own table when one
 * is committed, else with the home table standing in and said so; data
 * between the regions at the sender's rate; the second region's alarms as its
 * Monitoring stack makes them; and the users the stage holds said plainly
 * against its label.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stageSpec } from '../../../stages/ladder';
import { DEFAULT_ASSUMPTIONS } from '../../../tools/plan/assumptions';
import { DEFAULT_SECOND_REGION, monthlyCost } from '../../../tools/plan/cost-model';
import { type PriceTable, pricesFor, US_EAST_1 } from '../../../tools/plan/price-table';
import { renderAssumptions, usersHeldCell } from '../../../tools/plan/render';
import { estimatedSecondRegionAlarms } from '../../../tools/plan/second-region';
import { planStages } from '../../../tools/plan/stage-plan';

const SPEC = stageSpec('10m');
const second = SPEC.regions!.second;
// Made-up prices: every figure of the second region's table differs from home's.
const HOME: PriceTable = { ...US_EAST_1, interRegionTransferGbUsd: 0.02 };
const EU: PriceTable = {
  ...US_EAST_1,
  region: 'eu-west-1',
  asOf: '2026-12-01',
  ec2HourlyUsd: { ...US_EAST_1.ec2HourlyUsd, [second.compute.instanceType]: 1 },
  rdsPostgresHourlyUsd: { ...US_EAST_1.rdsPostgresHourlyUsd, [second.replicaInstanceClass]: 2 },
  elastiCacheHourlyUsd: { ...US_EAST_1.elastiCacheHourlyUsd, [second.cache.nodeType]: 3 },
  interRegionTransferGbUsd: 0.5,
};
const line = (cost: ReturnType<typeof monthlyCost>, prefix: string) => {
  const found = cost.lines.find((l) => l.item.startsWith(prefix));
  if (!found) throw new Error(`no line "${prefix}…" in ${cost.lines.map((l) => l.item).join(' | ')}`);
  return found;
};

describe('the second region in the plan (10m)', () => {
  test("with a table of its region, what runs there is priced from it and home's lines are not", () => {
    const cost = monthlyCost(SPEC, { prices: HOME, secondRegion: pricesFor('eu-west-1', HOME, { 'us-east-1': HOME, 'eu-west-1': EU }) });
    expect(line(cost, 'Second region (eu-west-1): EC2').unitUsd).toBe(1);
    expect(line(cost, 'Second region (eu-west-1): cross-region RDS replicas').unitUsd).toBe(2);
    expect(line(cost, 'Second region (eu-west-1): ElastiCache').unitUsd).toBe(3);
    expect(line(cost, 'EC2').unitUsd).toBe(HOME.ec2HourlyUsd[SPEC.compute.instanceType]);
    expect(cost.secondRegionPrices).toEqual({ region: 'eu-west-1', table: 'eu-west-1', asOf: '2026-12-01', standIn: false });
  });

  test('data between the regions is billed by the sender: replication out of home at home’s rate, forwarded writes at the second region’s', () => {
    const cost = monthlyCost(SPEC, { prices: HOME, secondRegion: pricesFor('eu-west-1', HOME, { 'eu-west-1': EU }) });
    expect(line(cost, 'Cross-region, sent by home: database replication').unitUsd).toBe(0.02);
    expect(line(cost, 'Cross-region, sent by home: S3 replication').unitUsd).toBe(0.02);
    expect(line(cost, 'Cross-region, sent by the second region: writes forwarded home').unitUsd).toBe(0.5);
    for (const prefix of ['Cross-region, sent by home: database replication', 'Cross-region, sent by home: S3 replication', 'Second region (eu-west-1): S3 replica storage']) {
      expect(line(cost, prefix).usd).toBeGreaterThan(0);
    }
  });

  test('without a table of its region (none is committed for eu-west-1), the home table stands in and the plan says so', () => {
    expect(DEFAULT_SECOND_REGION).toBe('eu-west-1');
    expect(pricesFor('eu-west-1')).toEqual({ region: 'eu-west-1', table: US_EAST_1, standIn: true });
    const cost = monthlyCost(SPEC);
    expect(cost.secondRegionPrices).toEqual({ region: 'eu-west-1', table: 'us-east-1', asOf: US_EAST_1.asOf, standIn: true });
    const text = renderAssumptions(DEFAULT_ASSUMPTIONS, { perCore: DEFAULT_ASSUMPTIONS.defaultPerCore, measured: [], description: 'defaults' }, US_EAST_1);
    expect(text).toContain('the second (eu-west-1, the example regions\' second) with us-east-1 prices (no eu-west-1 table): no `tools/plan/prices-eu-west-1.json` is committed');
    expect(monthlyCost(stageSpec('1m')).secondRegionPrices).toBeUndefined();
  });

  test("the second region's alarms priced are the alarms its Monitoring stack makes", () => {
    const snapshots = readFileSync(join(__dirname, '..', '..', 'lib', 'stacks', '__snapshots__', 'stacks.test.ts.snap'), 'utf8');
    const start = snapshots.indexOf('second region Monitoring 1`] = `');
    expect(start).toBeGreaterThan(0);
    const template = snapshots.slice(start, snapshots.indexOf('\n`;\n', start));
    expect(estimatedSecondRegionAlarms(SPEC)).toBe((template.match(/"Type": "AWS::CloudWatch::Alarm"/g) ?? []).length);
    expect(line(monthlyCost(SPEC), 'Second region (eu-west-1): CloudWatch alarms').quantity).toBe(estimatedSecondRegionAlarms(SPEC));
  });

  test('the users 10m holds are said against its label: the home primaries’ limit, below 10M; 1m holds more than its label', () => {
    const [oneM, tenM] = planStages([stageSpec('1m'), SPEC], US_EAST_1, DEFAULT_ASSUMPTIONS, DEFAULT_ASSUMPTIONS.defaultPerCore);
    expect(tenM.capacity.usersHeld).toBe(oneM.capacity.usersHeld);
    expect(tenM.capacity.firstLimit.kind).toBe('memory');
    expect(usersHeldCell(tenM)).toMatch(/^\d(\.\d)?M \(below its 10M label\)$/);
    expect(usersHeldCell(oneM)).toMatch(/^\d(\.\d)?M$/);
  });
});
