import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** The S3 calls the thumbnail logic needs, so tests can run it against a local S3 server. */
export interface ObjectStore {
  /**
   * The object's S3 replication status (`x-amz-replication-status`): `REPLICA`
   * for a copy S3 replication wrote; undefined for an object no replication
   * rule covers.
   */
  replicationStatus(bucket: string, key: string): Promise<string | undefined>;
  get(bucket: string, key: string): Promise<{ readonly body: Uint8Array; readonly contentType?: string }>;
  put(bucket: string, key: string, body: Uint8Array, contentType: string, metadata: Record<string, string>): Promise<void>;
}

/** An ObjectStore over the AWS SDK's S3 client. */
export function s3ObjectStore(client: S3Client): ObjectStore {
  return {
    async replicationStatus(bucket, key) {
      return (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ReplicationStatus;
    },
    async get(bucket, key) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!out.Body) throw new Error(`s3://${bucket}/${key} has no body`);
      return { body: await out.Body.transformToByteArray(), contentType: out.ContentType };
    },
    async put(bucket, key, body, contentType, metadata) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          // Thumbnails never change once written (a new upload gets a new photo ID).
          CacheControl: 'public, max-age=31536000, immutable',
          Metadata: metadata,
        }),
      );
    },
  };
}
