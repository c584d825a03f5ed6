import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { Readable } from 'node:stream';
import { sizeGuard } from './local-storage';
import type { PhotoStorage, StagedUpload, StoredObject, UploadInstructions } from './photo-storage';
import { thumbnailKey } from '../../../contracts/media-keys';

export interface S3StorageProps {
  readonly bucket: string;
  readonly mode: 'proxy' | 'presigned';
  /** @default the SDK's region chain (AWS_REGION, instance metadata) */
  readonly region?: string;
  /** A local S3-compatible server (tests, dev); path-style addressing. @default AWS S3 */
  readonly endpoint?: string;
  /** How long a presigned POST stays valid. @default 600 */
  readonly presignExpiresSeconds?: number;
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

/** Photo files in the uploads bucket (1k and up). Credentials come from the instance role. */
export class S3Storage implements PhotoStorage {
  readonly mode: 'proxy' | 'presigned';
  private readonly client: S3Client;

  constructor(private readonly props: S3StorageProps) {
    this.mode = props.mode;
    this.client = new S3Client({
      region: props.region ?? process.env.AWS_REGION ?? 'us-east-1',
      // Local S3-compatible servers do not decode the SDK's default aws-chunked
      // uploads with trailing checksums (they would store the framing); real S3 keeps them.
      ...(props.endpoint ? { endpoint: props.endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' as const } : {}),
    });
  }

  /**
   * Written to the key itself (an S3 PUT is all or nothing: an upload cut
   * short stores nothing); `discard` deletes the object again.
   */
  async stage(key: string, body: Readable, contentType: string, size: number, maxBytes: number): Promise<StagedUpload> {
    // The declared Content-Length is sent to S3; the guard stops a body that runs past it.
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.props.bucket,
        Key: key,
        Body: body.pipe(sizeGuard(maxBytes)),
        ContentType: contentType,
        ContentLength: size,
      }),
    );
    return { commit: async () => undefined, discard: () => this.delete(key), abandon: async () => undefined };
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.props.bucket, Key: key }));
      return { body: out.Body as Readable, size: out.ContentLength };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<number | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.props.bucket, Key: key }));
      return out.ContentLength;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    // The thumbnail goes with its original (same user and photo segments).
    const [, , userId, photoId] = key.split('/');
    const keys = [key, ...(userId && photoId ? [thumbnailKey(userId, photoId)] : [])];
    await this.client.send(new DeleteObjectsCommand({ Bucket: this.props.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
  }

  /**
   * A POST policy that S3 enforces: this key only, exactly the declared
   * Content-Type, and a body of 1 byte up to the declared size.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
   */
  async presignUpload(key: string, contentType: string, size: number): Promise<UploadInstructions> {
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.props.bucket,
      Key: key,
      Conditions: [
        ['content-length-range', 1, size],
        ['eq', '$Content-Type', contentType],
      ],
      Fields: { 'Content-Type': contentType },
      Expires: this.props.presignExpiresSeconds ?? 600,
    });
    return { method: 'POST', url, fields };
  }
}
