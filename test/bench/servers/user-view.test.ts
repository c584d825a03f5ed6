import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIRRORED_SQL } from '../../../bench/servers/user-view';
import { NO_CURSOR } from '../../../contracts/ids';

// The pg baseline must run the very statements the API runs, or its ratio means nothing.
const API = join(__dirname, '..', '..', '..', 'api', 'src');
const COLUMNS = 'id, user_id, caption, content_type, size, status, like_count, created_at';
const QUALIFIED = COLUMNS.split(', ').map((column) => `photos.${column}`).join(', ');
const squash = (sql: string) => sql.replace(/\s+/g, ' ').trim();
/** The interpolations the API's source writes where the baseline has their values. */
const asSource = (sql: string) => squash(sql).split(QUALIFIED).join("${photoColumns('photos')}").split(COLUMNS).join('${COLUMNS}').split(NO_CURSOR).join('${NO_CURSOR}');

describe('baseline SQL mirrors the API repositories', () => {
  const files = ['repositories/users-repository.ts', 'repositories/photos-repository.ts', 'repositories/follows-repository.ts', 'feed/pull-feed.ts'];
  const source = squash(files.map((f) => readFileSync(join(API, f), 'utf8')).join('\n'));

  test.each(Object.entries(MIRRORED_SQL))('%s appears verbatim in api/src (repositories, the pull feed)', (_name, sql) => {
    expect(source).toContain(asSource(sql));
  });
});
