import { useCallback } from 'preact/hooks';
import { useApp } from '../app-context';
import { PageHeading } from '../components/page-heading';
import { PhotoList } from '../components/photo-list';
import { usePageTitle } from '../hooks/use-page-title';

/** The signed-in user's photos and those of the people they follow, newest first; when empty, ways to fill it. */
export function FeedPage() {
  const { api } = useApp();
  usePageTitle('Feed');
  const load = useCallback((cursor?: string) => api.feed(cursor), [api]);
  return (
    <>
      <PageHeading>Your feed</PageHeading>
      <PhotoList
        load={load}
        label="Feed"
        emptyText={
          <>
            <p>Nothing here yet. Your photos and those of the people you follow show up here.</p>
            <div class="actions">
              <a class="primary-button" href="#/search">
                Find people to follow
              </a>
              <a class="secondary-button" href="#/upload">
                Upload a photo
              </a>
            </div>
          </>
        }
      />
    </>
  );
}
