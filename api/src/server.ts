import { createServer } from 'node:http';

// Placeholder until the API issue lands: proves the delivery path (bundle → asset → systemd).
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found","message":"Not found"}}');
});
server.listen(port, host, () => console.log(`graminsta api listening on http://${host}:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
