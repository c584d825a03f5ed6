import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * Starts a framework-free HTTP server for a baseline on HOST/PORT (loopback by
 * default), answers `/healthz`, and stops on SIGTERM. `handle` gets every
 * other request.
 */
export function listen(name: string, handle: (req: IncomingMessage, res: ServerResponse) => void, onClose: () => Promise<void> = async () => undefined): void {
  const port = Number(process.env.PORT ?? 0);
  const host = process.env.HOST ?? '127.0.0.1';
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    handle(req, res);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, host, () => process.stdout.write(`${name} listening on ${host}:${port}\n`));
  process.on('SIGTERM', () => server.close(() => void onClose().finally(() => process.exit(0))));
}

export function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
