import { Type } from 'typebox';
import { MAX_CAPTION_CHARS, MAX_UPLOAD_BYTES, PHOTO_CONTENT_TYPES } from '../../../contracts/photo-uploads';

/** Text PostgreSQL can store and JSON can round-trip: no NUL, no lone UTF-16 surrogate. */
const STORABLE_TEXT = '^[^\\u0000\\ud800-\\udfff]*$';

export const USERNAME_PATTERN = '^[a-z0-9_]{3,30}$';

/** A decimal 63-bit ID as the path carries it (range checked by `requireId`). */
export const IdParams = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,18}$' }) }, { additionalProperties: false });

export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.String({ maxLength: 3 })),
});

export const Credentials = Type.Object(
  {
    username: Type.String({ pattern: USERNAME_PATTERN }),
    password: Type.String({ minLength: 8, maxLength: 128, pattern: STORABLE_TEXT }),
  },
  { additionalProperties: false },
);

export const LoginBody = Type.Object(
  {
    username: Type.String({ pattern: USERNAME_PATTERN }),
    password: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);

export const CreatePhotoBody = Type.Object(
  {
    caption: Type.String({ maxLength: MAX_CAPTION_CHARS, pattern: STORABLE_TEXT }),
    contentType: Type.Union(PHOTO_CONTENT_TYPES.map((t) => Type.Literal(t))),
    size: Type.Integer({ minimum: 1, maximum: MAX_UPLOAD_BYTES }),
  },
  { additionalProperties: false },
);

export const Photo = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  caption: Type.String(),
  contentType: Type.String(),
  url: Type.String(),
  createdAt: Type.String(),
  likeCount: Type.Integer(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('ready')]),
  likedByMe: Type.Optional(Type.Boolean({ description: 'whether the viewer likes it; present on authenticated requests only' })),
});

export const PhotoPage = Type.Object({
  items: Type.Array(Photo),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const NewUser = Type.Object({ id: Type.String(), username: Type.String(), createdAt: Type.String() });

export const UserProfile = Type.Object({
  id: Type.String(),
  username: Type.String(),
  createdAt: Type.String(),
  photoCount: Type.Integer(),
  followerCount: Type.Integer(),
  followingCount: Type.Integer(),
  followedByMe: Type.Optional(Type.Boolean({ description: 'whether the viewer follows this user; present on authenticated requests only' })),
});

/** `GET /api/users?prefix=`: people by the start of their username. */
export const UserSearchQuery = Type.Object({
  prefix: Type.String({ pattern: '^[A-Za-z0-9_]{1,30}$', description: 'the start of a username: 1-30 of a-z, 0-9, _ (case-insensitive; usernames are lower case)' }),
  cursor: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.String({ maxLength: 3 })),
});

export const UserSummary = Type.Object({ id: Type.String(), username: Type.String() });

export const UserSearchPage = Type.Object({
  items: Type.Array(UserSummary),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const SessionCreated = Type.Object({ token: Type.String(), userId: Type.String() });

export const Upload = Type.Object({
  method: Type.String(),
  url: Type.String(),
  fields: Type.Optional(Type.Record(Type.String(), Type.String())),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
});

export const ErrorBody = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });

/** A 204 answer, for the document: the handler sends nothing (and Fastify sends no body for 204 at all). */
export const NoContent = Type.Unsafe<undefined>({ type: 'null', description: 'No content' });

type Security = { readonly [scheme: string]: readonly string[] }[];
/** Authenticated routes carry `security: BEARER` in their schema; routes that read the viewer when a token is given, `OPTIONAL_BEARER` (the document only: the hooks enforce it). */
export const BEARER: Security = [{ bearer: [] }];
export const OPTIONAL_BEARER: Security = [{}, { bearer: [] }];
