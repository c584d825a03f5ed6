import { describeLag, lsnBytes, type ShardLag } from '../../../tools/failover/lag';

const unreachable: ShardLag = { name: 'primary-0', replica: '127.0.0.1:5433', checkedAt: '2026-12-05T03:00:00.000Z', inRecovery: true, streaming: false, homeProblem: 'ECONNREFUSED', lastReplayAt: '2026-12-05T02:59:58.500Z' };

describe('lag arithmetic and its report', () => {
  test('WAL positions are bytes: the high word counts 4 GiB', () => {
    expect(lsnBytes('0/3015FF0')).toBe(0x3015ff0n);
    expect(lsnBytes('16/B374D848') - lsnBytes('15/B374D848')).toBe(1n << 32n);
    expect(() => lsnBytes('nonsense')).toThrow('not a WAL position: nonsense');
  });

  test('home unreachable: the lag is unknown and the last replayed transaction is given with its age', () => {
    expect(describeLag(unreachable)).toBe(
      'primary-0: replica 127.0.0.1:5433 NOT streaming; home unreachable (ECONNREFUSED): lag unknown; last replayed transaction 2026-12-05T02:59:58.500Z (1.5 s before the check)',
    );
  });

  test('home answers: bytes behind, bytes not yet received, seconds', () => {
    const lag = { ...unreachable, homeProblem: undefined, streaming: true, lagBytes: 1408, unreceivedBytes: 200, lagSeconds: 0.25 };
    expect(describeLag(lag)).toMatch(/^primary-0: replica 127\.0\.0\.1:5433 streaming; behind home by 1408 bytes, 0\.3 s \(200 bytes not yet received\); /);
  });
});
