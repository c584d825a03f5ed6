import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver has no type declarations; its API is small: run() and close().
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

/** The credentials s3rver accepts. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalS3Options {
  /** Buckets made at start; `createBucket` makes more. @default ['graminsta-uploads'] */
  readonly buckets?: readonly string[];
  /** Where it listens: loopback, or another local address (the boot test's instance network). @default '127.0.0.1' */
  readonly address?: string;
  /** An origin the buckets' CORS rule allows POST and GET from (browser uploads from 10k on; '*' for any). @default no CORS rule */
  readonly corsOrigin?: string;
}

/** A throwaway local S3 and a client pointed at it. */
export interface LocalS3 {
  /** `http://<address>:<port>` (path-style). */
  readonly endpoint: string;
  /** The first bucket made at start. */
  readonly bucket: string;
  readonly client: S3Client;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

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

/**
 * A local S3-compatible server (s3rver: a real HTTP server, credentials
 * S3RVER/S3RVER) on a free port, its objects in a temporary directory that
 * `stop()` removes. The one stand-in for S3 in the tests and the boot harness.
 */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const { buckets = ['graminsta-uploads'], address = '127.0.0.1', corsOrigin } = options;
  const directory = mkdtempSync(join(tmpdir(), 'graminsta-s3-'));
  const configs = corsOrigin === undefined ? [] : [corsXml(corsOrigin)];
  const server = new S3rver({ address, port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name, configs })) });
  const { port } = await server.run();
  const endpoint = `http://${address}:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: LOCAL_S3_CREDENTIALS,
    // s3rver predates the SDK's default CRC32 checksums (aws-chunked bodies).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    bucket: buckets[0] ?? '',
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async stop() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
