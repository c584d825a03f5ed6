import { effectiveOwners } from '../../../tools/reshard/placement';
import type { MoveRow } from '../../../tools/reshard/placement';
import type { Server } from '../../../tools/reshard/servers';

const range = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);
const servers: Server[] = [
  { name: 'primary-0', index: 0, config: {}, mapShards: range(0, 4095) },
  { name: 'primary-1', index: 1, config: {}, mapShards: [] },
  { name: 'primary-2', index: 2, config: {}, mapShards: [] },
];
const moved = (shard: number, peer: string): MoveRow => ({ shard, state: 'moved', peer, runId: 'r' });

describe('effective placement (the map, then moved rows)', () => {
  test('follows moved rows across servers; other fence states do not move a shard', () => {
    const owners = effectiveOwners(
      servers,
      new Map([
        ['primary-0', [moved(5, 'primary-1'), moved(6, 'primary-1'), { shard: 7, state: 'frozen', peer: 'primary-1', runId: 'r' } as MoveRow]],
        ['primary-1', [moved(6, 'primary-2'), { shard: 7, state: 'incoming', peer: 'primary-0', runId: 'r' } as MoveRow]],
      ]),
    );
    expect(owners.slice(4, 9)).toEqual(['primary-0', 'primary-1', 'primary-2', 'primary-0', 'primary-0']);
  });

  test('a loop of moved rows or a peer outside the map is an error, not a guess', () => {
    expect(() => effectiveOwners(servers, new Map([['primary-0', [moved(5, 'primary-1')]], ['primary-1', [moved(5, 'primary-0')]]]))).toThrow(/logical shards 5: .*cycle/);
    expect(() => effectiveOwners(servers, new Map([['primary-0', [moved(9, 'primary-7')]]]))).toThrow(/logical shards 9: primary-0 says they moved to "primary-7", which is not in the shard map/);
  });
});
