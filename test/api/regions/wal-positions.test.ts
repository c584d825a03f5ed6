import fc from 'fast-check';
import { formatLsn, formatWalCookie, mergeWalPositions, parseLsn, readWalCookie } from '../../../api/src/regions/wal-positions';

describe('the graminsta_wal cookie (write positions per primary)', () => {
  test('LSNs read and written as PostgreSQL prints them, ordered as numbers', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('1/0')).toBe(1n << 32n);
    expect(formatLsn(parseLsn('16/B374D848')!)).toBe('16/B374D848');
    expect(parseLsn('1/0')! > parseLsn('0/FFFFFFFF')!).toBe(true);
    for (const bad of ['', '0', '0/', '/1', '0/123456789', 'g/1', '0/1/2']) expect(parseLsn(bad)).toBeUndefined();
  });

  test('read from a Cookie header among other cookies; written back the same', () => {
    const header = 'theme=dark; graminsta_wal=4|primary-0=0/16B3748|primary-1=1/2F00A0; other=1';
    const wal = readWalCookie(header)!;
    expect(wal.epoch).toBe(4);
    expect([...wal.positions]).toEqual([
      ['primary-0', 0x16b3748n],
      ['primary-1', (1n << 32n) | 0x2f00a0n],
    ]);
    expect(formatWalCookie(wal)).toBe('4|primary-0=0/16B3748|primary-1=1/2F00A0');
  });

  test('anything else is no cookie at all (ignored, never an error)', () => {
    for (const header of [undefined, '', 'graminsta_wal=', 'graminsta_wal=x|primary-0=0/1', 'graminsta_wal=4', 'graminsta_wal=4|Primary=0/1', 'graminsta_wal=4|primary-0=0/1=2', `graminsta_wal=4${'|p=0/1'.repeat(17)}`]) {
      expect(readWalCookie(header)).toBeUndefined();
    }
    fc.assert(fc.property(fc.string(), (text) => readWalCookie(`graminsta_wal=${text}`) === undefined || readWalCookie(`graminsta_wal=${text}`)!.positions.size > 0));
  });

  test('a new write keeps the earlier positions of the same epoch and the higher of two; another epoch starts afresh', () => {
    const earlier = { epoch: 2, positions: new Map([['primary-0', 10n], ['primary-1', 50n]]) };
    const now = { epoch: 2, positions: new Map([['primary-1', 40n], ['primary-2', 7n]]) };
    expect([...mergeWalPositions(earlier, now).positions]).toEqual([
      ['primary-0', 10n],
      ['primary-1', 50n],
      ['primary-2', 7n],
    ]);
    expect(mergeWalPositions({ ...earlier, epoch: 1 }, now)).toBe(now);
  });
});
