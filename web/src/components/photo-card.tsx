import { useState } from 'preact/hooks';
import { describeError } from '../api/api-error';
import type { Photo } from '../api/types';
import { useApp } from '../app-context';
import { useUser } from '../hooks/use-user';
import { ErrorMessage } from './error-message';

/** Display size: the contract has no image dimensions, so cards use a square frame (CSS crops with object-fit). */
export const PHOTO_SIZE = 600;

export interface PhotoCardProps {
  readonly photo: Photo;
  /** Called after the owner deleted the photo. */
  readonly onDeleted: (id: string) => void;
  /** The first card of a page loads eagerly: it is the largest content on screen. */
  readonly eager?: boolean;
}

function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** One photo: author, image, caption, like button and (for its owner) delete. */
export function PhotoCard({ photo, onDeleted, eager = false }: PhotoCardProps) {
  const { api, session } = useApp();
  const { user } = useUser(photo.userId);
  // The API says whether this user likes it (likedByMe), whichever device liked it.
  const [isLiked, setLiked] = useState(photo.likedByMe === true);
  const [likeCount, setLikeCount] = useState(photo.likeCount);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [broken, setBroken] = useState(false);
  const author = user ? `@${user.username}` : 'someone';
  const own = session?.userId === photo.userId;

  async function toggleLike() {
    const next = !isLiked;
    // Optimistic: the button answers at once, and rolls back if the API refuses.
    setLiked(next);
    setLikeCount((count) => Math.max(0, count + (next ? 1 : -1)));
    setError(undefined);
    try {
      await api.like(photo.id, next);
    } catch (caught) {
      setLiked(!next);
      setLikeCount((count) => Math.max(0, count + (next ? -1 : 1)));
      setError(describeError(caught));
    }
  }

  async function remove() {
    if (!window.confirm('Delete this photo? This cannot be undone.')) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.deletePhoto(photo.id);
      onDeleted(photo.id);
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  }

  const headingId = `photo-${photo.id}`;
  return (
    <article class="photo-card" aria-labelledby={headingId}>
      <header class="photo-meta">
        <h2 id={headingId} class="photo-author">
          <a href={`#/users/${photo.userId}`}>{author}</a>
        </h2>
        <time dateTime={photo.createdAt}>{formatDate(photo.createdAt)}</time>
      </header>
      {photo.status === 'ready' && !broken ? (
        <img
          class="photo-image"
          src={photo.url}
          alt={photo.caption ? photo.caption : `Photo by ${author}`}
          width={PHOTO_SIZE}
          height={PHOTO_SIZE}
          loading={eager ? 'eager' : 'lazy'}
          decoding="async"
          onError={() => setBroken(true)}
        />
      ) : (
        <div class="photo-image photo-pending" role="img" aria-label={broken ? 'Photo unavailable' : 'Photo still processing'}>
          {broken ? 'Photo unavailable' : 'Processing…'}
        </div>
      )}
      {photo.caption && <p class="photo-caption">{photo.caption}</p>}
      <div class="photo-actions">
        {session && (
          <button type="button" class={isLiked ? 'like-button liked' : 'like-button'} onClick={() => void toggleLike()}>
            {isLiked ? 'Unlike' : 'Like'}
          </button>
        )}
        <span class="like-count">
          {likeCount} {likeCount === 1 ? 'like' : 'likes'}
        </span>
        {own && (
          <button type="button" class="danger-button" disabled={busy} onClick={() => void remove()}>
            {busy ? 'Deleting…' : 'Delete'}
          </button>
        )}
      </div>
      <ErrorMessage message={error} />
    </article>
  );
}
