import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIRRORED_SQL } from '../../../bench/servers/user-view';

// The pg baseline must run the very statements the API runs, or its ratio means nothing.
const REPOSITORIES = join(__dirname, '..', '..', '..', 'api', 'src', 'repositories');
const COLUMNS = 'id, user_id, caption, content_type, size, status, like_count, created_at';
const squash = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('baseline SQL mirrors the API repositories', () => {
  const source = squash(['users-repository.ts', 'photos-repository.ts', 'follows-repository.ts'].map((f) => readFileSync(join(REPOSITORIES, f), 'utf8')).join('\n'));

  test.each(Object.entries(MIRRORED_SQL))('%s appears verbatim in api/src/repositories', (_name, sql) => {
    expect(source).toContain(squash(sql).split(COLUMNS).join('${COLUMNS}'));
  });
});
