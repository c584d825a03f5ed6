import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver has no type declarations; its API is small: run() and close().
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

export interface TestS3 {
  readonly endpoint: string;
  readonly bucket: string;
  stop(): Promise<void>;
}

/**
 * A local S3-compatible server (s3rver) on a free port with one bucket. Credentials: S3RVER/S3RVER.
 * It listens on loopback unless given another local address (the boot test's instance network).
 */
export async function startS3(bucket = 'graminsta-uploads', address = '127.0.0.1'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'graminsta-s3-'));
  const server = new S3rver({ address, port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    endpoint: `http://${address}:${port}`,
    bucket,
    stop: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
