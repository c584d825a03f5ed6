import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { uploadClaimStaleMs } from '../../lib/upload-claims';
import { FollowService } from '../../services/follow-service';
import { PhotoService } from '../../services/photo-service';
import { PhotoViews } from '../../services/photo-views';
import { UserService } from '../../services/user-service';

declare module 'fastify' {
  interface FastifyInstance {
    photoViews: PhotoViews;
    photoService: PhotoService;
    followService: FollowService;
    userService: UserService;
  }
}

/**
 * The services: every write the routes make, with its side effects (cache
 * invalidation, read-your-writes marking, feed fan-out) in one place per
 * operation, and the photo views the reads answer with. Built from the
 * decorators of the plugins they depend on; they never see the instance.
 */
export default fp(
  async function services(app: FastifyInstance) {
    const { config, photos, storage, readYourWrites, userCache, feedFanout } = app;
    const photoViews = new PhotoViews(photos, storage, { mediaBaseUrl: config.mediaBaseUrl, publicApiUrl: config.publicApiUrl });
    app.decorate('photoViews', photoViews);
    app.decorate(
      'photoService',
      new PhotoService({ photos, storage, views: photoViews, readYourWrites, userCache, feedFanout, uploadClaimStaleMs: uploadClaimStaleMs(config) }),
    );
    app.decorate('followService', new FollowService({ users: app.users, follows: app.follows, readYourWrites, userCache, feedFanout }));
    app.decorate('userService', new UserService(app.users, app.passwords));
  },
  { name: 'services', dependencies: ['config', 'cache', 'sessions', 'passwords', 'storage', 'repositories', 'feed'] },
);
