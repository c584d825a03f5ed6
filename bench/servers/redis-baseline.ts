import Redis from 'ioredis';
import { listen, sendJson } from './listen';
import { baselineUserKey } from './user-view';

// node:http + one Redis GET of a user's cached view (the API's JSON, preloaded by the runner), no framework.
const redis = new Redis(process.env.REDIS_URL!, { enableAutoPipelining: false, lazyConnect: false });

listen(
  'redis-baseline',
  (req, res) => {
    const id = req.url!.slice(req.url!.lastIndexOf('/') + 1);
    redis.get(baselineUserKey(id)).then(
      (value) => (value === null ? sendJson(res, 404, '{"error":{"code":"not_found","message":"no such user"}}') : sendJson(res, 200, value)),
      (error: Error) => sendJson(res, 500, JSON.stringify({ error: { code: 'redis', message: error.message } })),
    );
  },
  async () => void (await redis.quit()),
);
