import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy that adds a fixed one-way delay to every byte in both
 * directions: the distance between two "regions" in the two-region tests.
 * A round trip through it costs 2 × `delayMs` more than a direct one, without
 * limiting throughput (each chunk is forwarded `delayMs` after it arrived, in
 * order). `cut()` is a network partition: every connection through it is
 * destroyed and new ones are refused until `restore()`.
 */
export interface DelayProxy {
  readonly host: string;
  readonly port: number;
  /** `target` with this proxy's address in place of its host and port (a URL or `host:port` stays its kind). */
  rewrite(target: string): string;
  /** Sends new connections to another upstream port (the server behind it was rebuilt elsewhere). */
  retarget(port: number): void;
  /** Connections currently open through the proxy. */
  readonly openConnections: number;
  /**
   * How many times clients have sent `text` upstream since this call, on any
   * connection (a chunk boundary inside it still counts once): e.g. the
   * simple-query messages of one SQL statement through a PostgreSQL proxy.
   */
  countSent(text: string): () => number;
  cut(): void;
  restore(): void;
  stop(): Promise<void>;
}

export interface DelayProxyOptions {
  /** Added to each direction (a round trip costs twice this). @default 0 */
  readonly delayMs?: number;
  /** The upstream host. @default 127.0.0.1 */
  readonly targetHost?: string;
}

export async function startDelayProxy(targetPort: number, options: DelayProxyOptions = {}): Promise<DelayProxy> {
  const delayMs = options.delayMs ?? 0;
  const targetHost = options.targetHost ?? '127.0.0.1';
  let upstreamPort = targetPort;
  const sockets = new Set<Socket>();
  let partitioned = false;
  const taps: Array<(socket: Socket, chunk: Buffer) => void> = [];
  // Same-duration timers fire in the order they were set, so the stream keeps its order.
  const later = (action: () => void) => (delayMs > 0 ? setTimeout(action, delayMs) : setImmediate(action));
  const forward = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => later(() => !to.destroyed && to.write(chunk)));
    from.on('end', () => later(() => !to.destroyed && to.end()));
    from.on('error', () => undefined);
    from.on('close', () => later(() => to.destroy()));
  };
  const server: Server = createServer((client) => {
    if (partitioned) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: targetHost, port: upstreamPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk: Buffer) => {
      for (const tap of taps) tap(client, chunk);
    });
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: '127.0.0.1',
    port,
    rewrite: (target) => {
      if (!target.includes('://')) return `127.0.0.1:${port}`;
      const url = new URL(target);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString().replace(/\/$/, target.endsWith('/') ? '/' : '');
    },
    retarget: (next) => {
      upstreamPort = next;
    },
    get openConnections() {
      return Math.floor(sockets.size / 2);
    },
    countSent: (text) => {
      const needle = Buffer.from(text);
      // What each connection sent last that could be the start of `needle`, joined to its next chunk.
      const tails = new WeakMap<Socket, Buffer>();
      let count = 0;
      taps.push((socket, chunk) => {
        const data = Buffer.concat([tails.get(socket) ?? Buffer.alloc(0), chunk]);
        for (let at = data.indexOf(needle); at >= 0; at = data.indexOf(needle, at + needle.length)) count += 1;
        tails.set(socket, data.subarray(Math.max(0, data.length - needle.length + 1)));
      });
      return () => count;
    },
    cut: () => {
      partitioned = true;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => {
      partitioned = false;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
