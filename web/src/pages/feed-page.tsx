import { useCallback } from 'preact/hooks';
import { useApp } from '../app-context';
import { PageHeading } from '../components/page-heading';
import { PhotoList } from '../components/photo-list';
import { usePageTitle } from '../hooks/use-page-title';

/** Photos of the people the signed-in user follows, newest first. */
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
        emptyText="Nothing here yet. Follow people to see their photos, or upload your own."
      />
    </>
  );
}
