import { listen, sendJson } from './listen';

// Bare node:http: the same user JSON the API answers, built per request, no I/O.
// The ceiling any Node.js HTTP server on this machine can reach.
const user = { username: 'bench_user', createdAt: new Date('2026-01-02T03:04:05.000Z').toISOString(), photoCount: 10, followerCount: 200, followingCount: 200 };

listen('http-baseline', (req, res) => {
  const id = req.url!.slice(req.url!.lastIndexOf('/') + 1);
  sendJson(res, 200, JSON.stringify({ id, ...user }));
});
