import { scrypt, timingSafeEqual } from 'node:crypto';
import { Pool } from 'pg';
import { listen, readBody, sendJson } from './listen';
import {
  CREDENTIALS_SQL,
  FEED_SQL,
  INSERT_PHOTO_SQL,
  type PhotoRow,
  photoObject,
  USER_PHOTOS_SQL,
  USER_SQL,
  type UserRow,
  userJson,
} from './user-view';

// node:http + pg running the API's own statements with no framework, routing,
// schema validation, auth, cache or logging: the floor the API's overhead is
// measured against. `/login` runs the same scrypt verification as a log-in.
// Prepared, as the API sends them (api/src/db/database-node.ts), so the ratio
// measures the framework, not a difference in database work.
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
const prepared = (name: string, text: string, values: unknown[]) => ({ name, text, values });
const LIMIT = 20;
const NOT_FOUND = '{"error":{"code":"not_found","message":"not found"}}';

type Res = Parameters<typeof sendJson>[0];

function page(rows: PhotoRow[]): string {
  const items = rows.slice(0, LIMIT);
  return JSON.stringify({ items: items.map(photoObject), nextCursor: rows.length > LIMIT ? items[items.length - 1].id : null });
}

function verify(password: string, stored: string): Promise<boolean> {
  const [, N, r, p, salt, key] = stored.split('$');
  const expected = Buffer.from(key, 'base64');
  const options = { N: Number(N), r: Number(r), p: Number(p), maxmem: 256 * Number(N) * Number(r) };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64'), expected.length, options, (error, derived) =>
      error ? reject(error) : resolve(timingSafeEqual(derived, expected)),
    ),
  );
}

async function createPhoto(userId: string, body: string): Promise<PhotoRow> {
  const { caption, contentType, size } = JSON.parse(body) as { caption: string; contentType: string; size: number };
  const shard = Number((BigInt(userId) >> 10n) & 4095n);
  const { rows } = await pool.query<PhotoRow>(prepared('insert-photo', INSERT_PHOTO_SQL, [shard, userId, caption, contentType, size]));
  return rows[0];
}

async function route(method: string, route: string, id: string, req: Parameters<typeof readBody>[0], res: Res): Promise<void> {
  if (method === 'GET' && route === 'user') {
    const { rows } = await pool.query<UserRow>(prepared('user', USER_SQL, [id]));
    return rows[0] ? sendJson(res, 200, userJson(rows[0])) : sendJson(res, 404, NOT_FOUND);
  }
  if (method === 'GET' && route === 'photos') {
    const { rows } = await pool.query<PhotoRow>(prepared('user-photos', USER_PHOTOS_SQL, [id, null, LIMIT + 1]));
    return sendJson(res, 200, page(rows));
  }
  if (method === 'GET' && route === 'feed') {
    const { rows } = await pool.query<PhotoRow>(prepared('feed', FEED_SQL, [id, null, LIMIT + 1]));
    return sendJson(res, 200, page(rows));
  }
  if (method === 'POST' && route === 'photos') {
    const photo = await createPhoto(id, await readBody(req));
    return sendJson(res, 201, JSON.stringify({ photo: photoObject(photo), upload: { method: 'PUT', url: `/api/photos/${photo.id}/content` } }));
  }
  if (method === 'POST' && route === 'login') {
    const { username, password } = JSON.parse(await readBody(req)) as { username: string; password: string };
    const { rows } = await pool.query<{ id: string; password_hash: string }>(prepared('credentials', CREDENTIALS_SQL, [username]));
    const ok = rows[0] !== undefined && (await verify(password, rows[0].password_hash));
    return ok ? sendJson(res, 201, JSON.stringify({ token: 'baseline', userId: rows[0].id })) : sendJson(res, 401, '{"error":{"code":"invalid_credentials","message":"no"}}');
  }
  sendJson(res, 404, NOT_FOUND);
}

listen(
  'pg-baseline',
  (req, res) => {
    const [, name, id] = req.url!.split('/');
    route(req.method!, name, id, req, res).catch((error: Error) => sendJson(res, 500, JSON.stringify({ error: { code: 'db', message: error.message } })));
  },
  () => pool.end(),
);
