import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../api/api-error';
import type { UserSummary } from '../api/types';
import { useApp } from '../app-context';
import { ErrorMessage } from '../components/error-message';
import { PageHeading } from '../components/page-heading';
import { usePageTitle } from '../hooks/use-page-title';
import { routeHref } from '../router';

/** Usernames are 3-30 of [a-z0-9_]; the search takes their start. */
const PREFIX = /^[a-z0-9_]{1,30}$/;
/** Typing pauses this long before the search runs. */
const TYPING_PAUSE_MS = 250;

interface Results {
  readonly prefix: string;
  readonly items: readonly UserSummary[];
  readonly cursor: string | null;
}

/** Find people by the start of their username, to visit and follow them. */
export function SearchPage({ prefix: initial }: { readonly prefix: string }) {
  const { api } = useApp();
  usePageTitle('Find people');
  const [text, setText] = useState(initial);
  const [results, setResults] = useState<Results>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const latest = useRef(0);

  const prefix = text.trim().toLowerCase();
  const valid = PREFIX.test(prefix);

  async function search(wanted: string, cursor?: string) {
    const call = ++latest.current;
    setLoading(true);
    setError(undefined);
    try {
      const page = await api.searchUsers(wanted, cursor);
      // An older search answering late must not replace a newer one's results.
      if (call !== latest.current) return;
      setResults((previous) => ({
        prefix: wanted,
        items: cursor && previous?.prefix === wanted ? [...previous.items, ...page.items] : page.items,
        cursor: page.nextCursor,
      }));
    } catch (caught) {
      if (call === latest.current) setError(describeError(caught));
    } finally {
      if (call === latest.current) setLoading(false);
    }
  }

  useEffect(() => {
    // Keep the address true to the search (no history entry per keystroke).
    const href = routeHref({ name: 'search', prefix: valid ? prefix : '' });
    if (location.hash !== href) history.replaceState(null, '', href);
    if (!valid) {
      latest.current++;
      setResults(undefined);
      setLoading(false);
      return;
    }
    const timer = setTimeout(() => void search(prefix), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [prefix, valid]);

  const shown = results && results.prefix === prefix ? results : undefined;
  return (
    <div class="narrow">
      <PageHeading>Find people</PageHeading>
      <form
        class="stack"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          if (valid) void search(prefix);
        }}
      >
        <label for="search-prefix">Username starts with</label>
        <input
          id="search-prefix"
          type="search"
          name="q"
          value={text}
          autoComplete="off"
          autoCapitalize="none"
          spellcheck={false}
          maxLength={30}
          aria-describedby="search-hint"
          onInput={(event) => setText((event.currentTarget as HTMLInputElement).value)}
        />
        <p id="search-hint" class="hint">
          Letters, digits and _, as in usernames.
        </p>
      </form>
      {text.trim() !== '' && !valid && <p class="status">Usernames hold only letters, digits and _.</p>}
      <ErrorMessage message={error} />
      <section aria-label="People" aria-busy={loading}>
        {shown && shown.items.length > 0 && (
          <ul class="people">
            {shown.items.map((user) => (
              <li key={user.id}>
                <a href={routeHref({ name: 'profile', userId: user.id })}>@{user.username}</a>
              </li>
            ))}
          </ul>
        )}
        {shown && shown.items.length === 0 && <p class="empty">No one's username starts with “{prefix}”.</p>}
        {shown?.cursor && (
          <button type="button" class="load-more" aria-disabled={loading} onClick={() => !loading && void search(prefix, shown.cursor ?? undefined)}>
            {loading ? 'Loading…' : 'More people'}
          </button>
        )}
        {loading && !shown && <p class="status">Searching…</p>}
      </section>
    </div>
  );
}
