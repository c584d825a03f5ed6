import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { LocalStorage } from '../../storage/local-storage';
import type { PhotoStorage } from '../../storage/photo-storage';
import { S3Storage } from '../../storage/s3-storage';

declare module 'fastify' {
  interface FastifyInstance {
    storage: PhotoStorage;
  }
}

/** Local files without UPLOADS_BUCKET; S3 (proxy or presigned, per UPLOAD_MODE) with it. */
export default fp(
  async function storage(app: FastifyInstance) {
    const { uploadsBucket, uploadMode, awsRegion, s3Endpoint, dataDir } = app.config;
    app.decorate<PhotoStorage>(
      'storage',
      uploadsBucket ? new S3Storage({ bucket: uploadsBucket, mode: uploadMode, region: awsRegion, endpoint: s3Endpoint }) : new LocalStorage(dataDir),
    );
  },
  { name: 'storage', dependencies: ['config'] },
);
