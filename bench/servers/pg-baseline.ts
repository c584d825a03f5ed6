import { scrypt, timingSafeEqual } from 'node:crypto';
import { Pool } from 'pg';
import { listen, readBody, sendJson } from './listen';
import { FEED_SQL, INSERT_PHOTO_SQL, type PhotoRow, photoObject, USER_PHOTOS_SQL, USER_SQL, type UserRow, userJson } from './user-view';

// node:http + pg with the API's queries and no framework, routing, schema
// validation, auth or logging: the floor the API's own overhead is measured
// against. `/login` is the same scrypt verification the API runs per log-in.
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
const PAGE = 20;

function fail(res: Parameters<typeof sendJson>[0], error: Error): void {
  sendJson(res, 500, JSON.stringify({ error: { code: 'db', message: error.message } }));
}

function page(rows: PhotoRow[]): string {
  return JSON.stringify({ items: rows.map(photoObject), nextCursor: rows.length === PAGE ? rows[rows.length - 1].id : null });
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

listen(
  'pg-baseline',
  (req, res) => {
    const [, route, id] = req.url!.split('/');
    if (req.method === 'GET' && route === 'user') {
      pool.query<UserRow>(USER_SQL, [id]).then(
        ({ rows }) => (rows[0] ? sendJson(res, 200, userJson(rows[0])) : sendJson(res, 404, '{"error":{"code":"not_found","message":"no such user"}}')),
        (error: Error) => fail(res, error),
      );
    } else if (req.method === 'GET' && route === 'photos') {
      pool.query<PhotoRow>(USER_PHOTOS_SQL, [id, PAGE]).then(({ rows }) => sendJson(res, 200, page(rows)), (error: Error) => fail(res, error));
    } else if (req.method === 'GET' && route === 'feed') {
      pool.query<PhotoRow>(FEED_SQL, [id, PAGE]).then(({ rows }) => sendJson(res, 200, page(rows)), (error: Error) => fail(res, error));
    } else if (req.method === 'POST' && route === 'photos') {
      readBody(req)
        .then((body) => {
          const { caption, contentType, size } = JSON.parse(body) as { caption: string; contentType: string; size: number };
          return pool.query<PhotoRow>(INSERT_PHOTO_SQL, [id, caption, contentType, size]);
        })
        .then(({ rows }) => sendJson(res, 201, JSON.stringify({ photo: photoObject(rows[0]), upload: { method: 'PUT', url: `/api/photos/${rows[0].id}/content` } })), (error: Error) => fail(res, error));
    } else if (req.method === 'POST' && route === 'login') {
      readBody(req)
        .then(async (body) => {
          const { username, password } = JSON.parse(body) as { username: string; password: string };
          const { rows } = await pool.query<{ id: string; password_hash: string }>('SELECT id::text AS id, password_hash FROM users WHERE username = $1', [username]);
          return rows[0] && (await verify(password, rows[0].password_hash)) ? rows[0].id : undefined;
        })
        .then((userId) => (userId ? sendJson(res, 201, JSON.stringify({ token: 'baseline', userId })) : sendJson(res, 401, '{"error":{"code":"invalid_credentials","message":"no"}}')), (error: Error) => fail(res, error));
    } else {
      sendJson(res, 404, '{"error":{"code":"not_found","message":"unknown route"}}');
    }
  },
  () => pool.end(),
);
