/**
 * The API's shapes as the web client uses them, named from the API's OpenAPI
 * document (docs/openapi.json, served at /api/openapi.json; `./openapi.ts` is
 * generated from it by `npm run openapi`): a change to a route's schema
 * changes these types, and the type check finds every use it breaks.
 * IDs are decimal strings.
 */
import type { paths } from './openapi';

/** The JSON body of a route's answer with status `S`. */
type Answer<P extends keyof paths, M extends 'get' | 'post', S extends number> =
  NonNullable<paths[P][M]> extends { readonly responses: { readonly [status in S]: { content: { readonly 'application/json': infer Body } } } } ? Body : never;

/** A profile; `followedByMe` when the request is signed in. */
export type User = Answer<'/api/users/{id}', 'get', 200>;
/** What sign-up answers. */
export type NewUser = Answer<'/api/users', 'post', 201>;
/** A photo; `likedByMe` when the request is signed in. */
export type Photo = Answer<'/api/photos/{id}', 'get', 200>;
/** A search result. */
export type UserSummary = Answer<'/api/users', 'get', 200>['items'][number];
export type Session = Answer<'/api/sessions', 'post', 201>;
export type CreatedPhoto = Answer<'/api/photos', 'post', 201>;
/** Where and how to send a photo's bytes: a presigned S3 POST (`fields`, then the file) or a PUT of the raw bytes (`headers`). */
export type UploadTarget = CreatedPhoto['upload'];

/** A page of a list (photos newest first, users in username order). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

// Every list the client reads is a Page of the named item type (checked by the type check).
type Is<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const listsArePages: [
  Is<Answer<'/api/feed', 'get', 200>, Page<Photo>>,
  Is<Answer<'/api/users/{id}/photos', 'get', 200>, Page<Photo>>,
  Is<Answer<'/api/users', 'get', 200>, Page<UserSummary>>,
] = [true, true, true];
void listsArePages;
