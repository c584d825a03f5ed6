import { toApiError } from './api-error';
import type { CreatedPhoto, NewUser, Page, Photo, Session, User, UserSummary } from './types';

/** Same-origin API base: the API (stages 1, 10) or CloudFront's `/api/*` route (100+) answers it. */
const API_BASE = '/api';

export interface ApiClientOptions {
  /** The current session's token, if any. */
  readonly token: () => string | undefined;
  /** Called when an authenticated request gets 401 (expired or revoked session). */
  readonly onUnauthorized?: () => void;
}

type Query = Readonly<Record<string, string | number | undefined>>;

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Typed calls for every route of the API contract the client uses. */
export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(API_BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      const error = toApiError(response.status, await response.text(), response.headers.get('retry-after'));
      if (response.status === 401 && token) this.options.onUnauthorized?.();
      throw error;
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  signUp(username: string, password: string): Promise<NewUser> {
    return this.request('POST', '/users', { username, password });
  }

  signIn(username: string, password: string): Promise<Session> {
    return this.request('POST', '/sessions', { username, password });
  }

  signOut(): Promise<void> {
    return this.request('DELETE', '/sessions');
  }

  user(id: string): Promise<User> {
    return this.request('GET', `/users/${encodeURIComponent(id)}`);
  }

  follow(id: string, following: boolean): Promise<void> {
    return this.request(following ? 'PUT' : 'DELETE', `/users/${encodeURIComponent(id)}/follow`);
  }

  userPhotos(id: string, cursor?: string, limit?: number): Promise<Page<Photo>> {
    return this.request('GET', withQuery(`/users/${encodeURIComponent(id)}/photos`, { cursor, limit }));
  }

  feed(cursor?: string, limit?: number): Promise<Page<Photo>> {
    return this.request('GET', withQuery('/feed', { cursor, limit }));
  }

  photo(id: string): Promise<Photo> {
    return this.request('GET', `/photos/${encodeURIComponent(id)}`);
  }

  createPhoto(caption: string, contentType: string, size: number): Promise<CreatedPhoto> {
    return this.request('POST', '/photos', { caption, contentType, size });
  }

  deletePhoto(id: string): Promise<void> {
    return this.request('DELETE', `/photos/${encodeURIComponent(id)}`);
  }

  /** People whose username starts with `prefix`, in username order. */
  searchUsers(prefix: string, cursor?: string, limit?: number): Promise<Page<UserSummary>> {
    return this.request('GET', withQuery('/users', { prefix, cursor, limit }));
  }

  like(id: string, liked: boolean): Promise<void> {
    return this.request(liked ? 'PUT' : 'DELETE', `/photos/${encodeURIComponent(id)}/like`);
  }
}
