import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { FollowsRepository } from '../../repositories/follows-repository';
import { PhotosRepository } from '../../repositories/photos-repository';
import { UsersRepository } from '../../repositories/users-repository';

declare module 'fastify' {
  interface FastifyInstance {
    users: UsersRepository;
    photos: PhotosRepository;
    follows: FollowsRepository;
  }
}

/** Data access, routed by ID to the owning primary. Routes never write SQL. */
export default fp(
  async function repositories(app: FastifyInstance) {
    app.decorate('users', new UsersRepository(app.db));
    app.decorate('photos', new PhotosRepository(app.db));
    app.decorate('follows', new FollowsRepository(app.db));
  },
  { name: 'repositories', dependencies: ['database'] },
);
