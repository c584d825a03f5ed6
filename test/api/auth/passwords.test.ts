import { hashCost, hashPassword, PRODUCTION_COST, verifyPassword } from '../../../api/src/auth/passwords';

describe('password hashing (scrypt)', () => {
  test('production parameters: N=2^17, r=8, p=1, 16-byte salt, 64-byte key; verifies right and rejects wrong', async () => {
    const stored = await hashPassword('correct horse battery staple', 'production');
    expect(hashCost(stored)).toEqual(PRODUCTION_COST);
    expect(PRODUCTION_COST).toEqual({ N: 131072, r: 8, p: 1 });
    const [, , , , salt, key] = stored.split('$');
    expect(Buffer.from(salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(key, 'base64')).toHaveLength(64);
    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapler', stored)).resolves.toBe(false);
  });

  test('each hash has its own salt; a hash made at one cost still verifies after the default changes', async () => {
    const a = await hashPassword('same password', 'test');
    const b = await hashPassword('same password', 'test');
    expect(a).not.toBe(b);
    expect(hashCost(a).N).toBe(1024);
    await expect(verifyPassword('same password', a)).resolves.toBe(true);
  });

  test('a malformed stored hash never verifies', async () => {
    await expect(verifyPassword('x', 'bcrypt$whatever')).resolves.toBe(false);
  });
});
