import { createServer } from 'node:net';

/**
 * Ports handed out lie below Linux's ephemeral range (32768–60999 by
 * default), in a slice of their own per Jest worker. A port the kernel gives
 * `listen(0)` is ephemeral: between our probe and the server's own listen,
 * any outgoing connection on the machine may take it as its source port, and
 * another worker's `listen(0)` may be handed it too (EADDRINUSE, seen in a
 * full run). Below that range no outgoing connection takes a port, and no two
 * workers share a slice.
 */
const FIRST_PORT = 15_000;
const SLICE = 2_000;
const SLICES = 8;

const worker = Math.max(1, Number(process.env.JEST_WORKER_ID ?? '1') || 1);
const sliceStart = FIRST_PORT + ((worker - 1) % SLICES) * SLICE;
/** The next port to try in this process's slice (a random start: files in one worker run one after another). */
let next = Math.floor(Math.random() * SLICE);

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free TCP port on loopback, from this Jest worker's slice below the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < SLICE; attempt++) {
    const port = sliceStart + (next++ % SLICE);
    if (await tryListen(port)) return port;
  }
  throw new Error(`no free port in ${sliceStart}-${sliceStart + SLICE - 1}`);
}
