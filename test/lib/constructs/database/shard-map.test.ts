import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { ShardMap } from '../../../../lib/constructs/database/shard-map';
import { initialShardMap, parseShardMap, primaryName } from '../../../../contracts/shard-map';

const primary = (i: number) => ({ secretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:db${i}-AbCdEf`, replicaHosts: [`replica-${i}.example:5432`] });

describe('initialShardMap', () => {
  test('gives every logical shard to primary-0 (the 100k primary) and nothing to the new primaries', () => {
    const map = initialShardMap(4096, [0, 1, 2, 3].map(primary));
    expect(map.primaries.map((p) => [p.name, p.shards])).toEqual([
      ['primary-0', [[0, 4095]]],
      ['primary-1', []],
      ['primary-2', []],
      ['primary-3', []],
    ]);
    expect(map.primaries[2]).toMatchObject(primary(2));
  });

  test('names primaries by position, stably: a fifth primary appended later is primary-4 and the others keep their names', () => {
    const four = initialShardMap(4096, [0, 1, 2, 3].map(primary)).primaries.map((p) => p.name);
    const five = initialShardMap(4096, [0, 1, 2, 3, 4].map(primary)).primaries.map((p) => p.name);
    expect(five.slice(0, 4)).toEqual(four);
    expect(five[4]).toBe(primaryName(4));
  });

  test('is a map the API accepts (names, range lists, empty primaries)', () => {
    const parsed = parseShardMap(JSON.stringify(initialShardMap(4096, [0, 1, 2, 3].map(primary))));
    expect(parsed.primaries).toHaveLength(4);
  });

  test.each([[0, 1], [4096, 0], [4096.5, 1]])('rejects %i logical shards over %i primaries', (shards, primaries) => {
    expect(() => initialShardMap(shards, Array.from({ length: primaries }, (_, i) => primary(i)))).toThrow(/logicalShards must be|at least one primary/);
  });
});

describe('ShardMap', () => {
  const versionOf = (primaries: number, replicas = 1) => {
    const stack = new Stack(new App(), 'S');
    const dbs = Array.from({ length: primaries }, (_, i) => ({
      secretArn: new ssm.StringParameter(stack, `Arn${i}`, { stringValue: 'x' }).stringValue,
      replicaHosts: Array.from({ length: replicas }, (_, r) => new ssm.StringParameter(stack, `Host${i}-${r}`, { stringValue: 'y' }).stringValue),
    }));
    const map = new ShardMap(stack, 'ShardMap', { logicalShards: 4096, primaries: dbs });
    return { version: map.version, template: Template.fromStack(stack) };
  };

  test('its version is stable across synths and changes when a primary or a replica is added', () => {
    expect(versionOf(4).version).toMatch(/^[0-9a-f]{12}$/);
    expect(versionOf(4).version).toBe(versionOf(4).version);
    expect(versionOf(5).version).not.toBe(versionOf(4).version);
    expect(versionOf(4, 2).version).not.toBe(versionOf(4).version);
  });

  test('is a standard-tier parameter holding references, never a password', () => {
    const { template } = versionOf(4);
    template.hasResourceProperties('AWS::SSM::Parameter', { Type: 'String', Tier: 'Standard' });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/password/i);
  });
});
