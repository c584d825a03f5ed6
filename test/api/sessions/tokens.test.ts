import { hashToken, isWellFormedToken, newToken, shardOfToken } from '../../../api/src/sessions/tokens';

describe('session tokens', () => {
  test('a new token is 46 base64url characters carrying its shard (2 bytes) and 256 random bits', () => {
    for (const shard of [0, 1, 255, 256, 4095]) {
      const token = newToken(shard);
      expect(token).toMatch(/^[A-Za-z0-9_-]{46}$/);
      expect(shardOfToken(token)).toBe(shard);
      expect(isWellFormedToken(token)).toBe(true);
    }
    expect(newToken(7)).not.toBe(newToken(7));
  });

  test('legacy 43-character tokens stay well formed but name no shard', () => {
    const legacy = Buffer.alloc(32, 9).toString('base64url');
    expect(legacy).toHaveLength(43);
    expect(isWellFormedToken(legacy)).toBe(true);
    expect(shardOfToken(legacy)).toBeUndefined();
  });

  test('a token naming a shard that cannot exist, or of another length, is malformed', () => {
    const bytes = Buffer.alloc(34, 1);
    bytes.writeUInt16BE(4096, 0);
    expect(isWellFormedToken(bytes.toString('base64url'))).toBe(false);
    expect(isWellFormedToken(newToken(1).slice(0, 45))).toBe(false);
    expect(isWellFormedToken(`${newToken(1)}A`)).toBe(false);
    expect(() => newToken(4096)).toThrow(RangeError);
  });

  test('tokens are stored as their SHA-256 only', () => {
    expect(hashToken(newToken(3))).toHaveLength(32);
  });
});
