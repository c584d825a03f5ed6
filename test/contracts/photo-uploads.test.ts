import { MAX_UPLOAD_BYTES, MAX_UPLOAD_MIB } from '../../contracts/photo-uploads';
import { MIGRATIONS } from '../../api/src/db/migrations';

describe('upload limit', () => {
  test('is 10 MiB', () => {
    expect(MAX_UPLOAD_BYTES).toBe(10_485_760);
    expect(MAX_UPLOAD_BYTES).toBe(MAX_UPLOAD_MIB * 1024 * 1024);
  });

  test("is what the database's latest photos.size CHECK allows (a raised limit needs a migration)", () => {
    const checks = MIGRATIONS.flatMap((m) => [...m.sql.matchAll(/size\s+BETWEEN\s+1\s+AND\s+(\d+)/gi)].map((match) => Number(match[1])));
    expect(checks.at(-1)).toBe(MAX_UPLOAD_BYTES);
  });
});
