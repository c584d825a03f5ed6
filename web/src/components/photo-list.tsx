import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../api/api-error';
import type { Page, Photo } from '../api/types';
import { ErrorMessage } from './error-message';
import { PhotoCard } from './photo-card';

export interface PhotoListProps {
  /** Fetches one page; `cursor` is undefined for the first. */
  readonly load: (cursor?: string) => Promise<Page<Photo>>;
  /** Shown when the first page is empty. */
  readonly emptyText: ComponentChildren;
  /** Accessible name of the list. */
  readonly label: string;
  /** Called after a photo was deleted from the list. */
  readonly onDeleted?: (id: string) => void;
}

interface ListState {
  readonly items: readonly Photo[];
  readonly cursor: string | null;
  readonly loading: boolean;
  readonly loaded: boolean;
  readonly error?: string;
}

const INITIAL: ListState = { items: [], cursor: null, loading: true, loaded: false };

/**
 * A paged photo list, newest first: "Load more" fetches the next page, and the
 * button also loads by itself when it scrolls into view (infinite scroll).
 */
export function PhotoList({ load, emptyText, label, onDeleted }: PhotoListProps) {
  const [state, setState] = useState<ListState>(INITIAL);
  const loading = useRef(false);
  const more = useRef<HTMLButtonElement>(null);

  const fetchPage = useCallback(
    async (cursor?: string) => {
      if (loading.current) return;
      loading.current = true;
      setState((s) => ({ ...s, loading: true, error: undefined }));
      try {
        const page = await load(cursor);
        setState((s) => {
          // Drop duplicates: a photo posted between two pages must not show twice.
          const seen = new Set(s.items.map((p) => p.id));
          const items = cursor ? [...s.items, ...page.items.filter((p) => !seen.has(p.id))] : page.items;
          return { items, cursor: page.nextCursor, loading: false, loaded: true };
        });
      } catch (caught) {
        setState((s) => ({ ...s, loading: false, error: describeError(caught) }));
      } finally {
        loading.current = false;
      }
    },
    [load],
  );

  useEffect(() => {
    setState(INITIAL);
    void fetchPage();
  }, [fetchPage]);

  const { items, cursor, error } = state;
  useEffect(() => {
    const button = more.current;
    if (!button || typeof IntersectionObserver === 'undefined' || !cursor || error) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void fetchPage(cursor);
    }, { rootMargin: '400px' });
    observer.observe(button);
    return () => observer.disconnect();
  }, [cursor, error, fetchPage]);

  // A next page to fetch, or a first page to retry.
  const showButton = cursor !== null || (error !== undefined && !state.loaded);

  const removeItem = (id: string) => {
    setState((s) => ({ ...s, items: s.items.filter((p) => p.id !== id) }));
    onDeleted?.(id);
  };

  return (
    <section class="photo-list" aria-label={label} aria-busy={state.loading}>
      {items.map((photo, index) => (
        <PhotoCard key={photo.id} photo={photo} onDeleted={removeItem} eager={index === 0} />
      ))}
      {state.loaded && items.length === 0 && !error && <div class="empty">{typeof emptyText === 'string' ? <p>{emptyText}</p> : emptyText}</div>}
      <ErrorMessage message={error} />
      {state.loading && !showButton && <p class="status">Loading…</p>}
      {showButton && (
        // Stays mounted (aria-disabled, not disabled) while loading, so keyboard focus is not lost.
        <button ref={more} type="button" class="load-more" aria-disabled={state.loading} onClick={() => void fetchPage(cursor ?? undefined)}>
          {state.loading ? 'Loading…' : error ? 'Try again' : 'Load more'}
        </button>
      )}
    </section>
  );
}
