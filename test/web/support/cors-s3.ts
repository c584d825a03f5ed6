import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// s3rver ships no type declarations; only its constructor, run() and close() are used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

/**
 * The CORS rule the uploads bucket needs for browser uploads from 10k on: the
 * page (another origin) POSTs the presigned form and must read the answer.
 */
function corsXml(origin: string): string {
  return (
    '<CORSConfiguration><CORSRule>' +
    `<AllowedOrigin>${origin}</AllowedOrigin>` +
    '<AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod>' +
    '<AllowedHeader>*</AllowedHeader><MaxAgeSeconds>600</MaxAgeSeconds>' +
    '</CORSRule></CORSConfiguration>'
  );
}

export interface CorsS3 {
  readonly endpoint: string;
  readonly bucket: string;
  stop(): Promise<void>;
}

/**
 * A local S3-compatible server (s3rver, credentials S3RVER/S3RVER) on a free
 * loopback port with one bucket whose CORS rule allows `allowedOrigin`.
 */
export async function startCorsS3(allowedOrigin: string, bucket = 'graminsta-uploads'): Promise<CorsS3> {
  const directory = mkdtempSync(join(tmpdir(), 'graminsta-web-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [corsXml(allowedOrigin)] }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    stop: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
