import { useCallback, useState } from 'preact/hooks';
import { describeError } from '../api/api-error';
import { useApp } from '../app-context';
import { ErrorMessage } from '../components/error-message';
import { PageHeading } from '../components/page-heading';
import { PhotoList } from '../components/photo-list';
import { usePageTitle } from '../hooks/use-page-title';
import { useUser } from '../hooks/use-user';

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A person's profile: counts, follow button, and their photos newest first. */
export function ProfilePage({ userId }: { readonly userId: string }) {
  const { api, session, forgetUser, signOut } = useApp();
  const [version, setVersion] = useState(0);
  const { user, error: loadError } = useUser(userId, version);
  const [following, setFollowing] = useState<boolean>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const own = session?.userId === userId;
  // The API says whether this user follows them (followedByMe), whichever device followed.
  const isFollowing = following ?? user?.followedByMe === true;
  usePageTitle(user ? `@${user.username}` : 'Profile');

  const load = useCallback((cursor?: string) => api.userPhotos(userId, cursor), [api, userId]);
  const refresh = useCallback(() => {
    forgetUser(userId);
    setVersion((v) => v + 1);
  }, [forgetUser, userId]);

  async function toggleFollow() {
    const next = !isFollowing;
    setBusy(true);
    setError(undefined);
    try {
      await api.follow(userId, next);
      setFollowing(next);
      if (session) forgetUser(session.userId);
      refresh();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  }

  if (loadError) {
    return (
      <div class="narrow">
        <PageHeading>Profile</PageHeading>
        <ErrorMessage message={describeError(loadError)} />
      </div>
    );
  }
  return (
    <>
      <div class="profile-header">
        <PageHeading>{user ? `@${user.username}` : 'Loading…'}</PageHeading>
        {user && (
          <ul class="counts" aria-label="Counts">
            <li>{plural(user.photoCount, 'photo', 'photos')}</li>
            <li>{plural(user.followerCount, 'follower', 'followers')}</li>
            <li>{`${user.followingCount} following`}</li>
          </ul>
        )}
        {user && session && !own && (
          <button type="button" class={isFollowing ? 'secondary-button' : 'primary-button'} disabled={busy} onClick={() => void toggleFollow()}>
            {isFollowing ? 'Unfollow' : 'Follow'}
          </button>
        )}
        {own && (
          <div class="actions">
            <a class="primary-button" href="#/upload">
              Upload a photo
            </a>
            <button type="button" class="secondary-button" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        )}
        <ErrorMessage message={error} />
      </div>
      <PhotoList load={load} label="Photos" emptyText={own ? 'You have not posted any photos yet.' : 'No photos yet.'} onDeleted={refresh} />
    </>
  );
}
