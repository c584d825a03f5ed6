import { useState } from 'preact/hooks';
import { describeError } from '../api/api-error';
import { useApp } from '../app-context';
import { ErrorMessage } from '../components/error-message';
import { PageHeading } from '../components/page-heading';
import { usePageTitle } from '../hooks/use-page-title';

export interface SignInPageProps {
  /** `sign-up` creates the account first, then signs in. */
  readonly mode: 'sign-in' | 'sign-up';
}

/** Sign in, or sign up (which signs in straight after). */
export function SignInPage({ mode }: SignInPageProps) {
  const { api, signIn } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const signingUp = mode === 'sign-up';
  const title = signingUp ? 'Create your account' : 'Sign in';
  usePageTitle(title);

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    setBusy(true);
    setError(undefined);
    try {
      if (signingUp) await api.signUp(username, password);
      signIn(await api.signIn(username, password));
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  }

  return (
    <div class="narrow">
      <PageHeading>{title}</PageHeading>
      <form class="stack" onSubmit={(event) => void submit(event)} aria-describedby={error ? 'form-error' : undefined}>
        <label for="username">Username</label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellcheck={false}
          required
          minLength={3}
          maxLength={30}
          pattern={signingUp ? '[a-z0-9_]{3,30}' : undefined}
          aria-describedby={signingUp ? 'username-hint' : undefined}
        />
        {signingUp && (
          <p id="username-hint" class="hint">
            3 to 30 characters: lower-case letters, digits and _.
          </p>
        )}
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete={signingUp ? 'new-password' : 'current-password'}
          required
          minLength={signingUp ? 8 : 1}
          maxLength={128}
          aria-describedby={signingUp ? 'password-hint' : undefined}
        />
        {signingUp && (
          <p id="password-hint" class="hint">
            At least 8 characters.
          </p>
        )}
        <div id="form-error">
          <ErrorMessage message={error} />
        </div>
        <button type="submit" class="primary-button" disabled={busy}>
          {busy ? 'Please wait…' : signingUp ? 'Sign up' : 'Sign in'}
        </button>
      </form>
      <p class="switch">
        {signingUp ? (
          <>
            Already have an account? <a href="#/sign-in">Sign in</a>
          </>
        ) : (
          <>
            New here? <a href="#/sign-up">Create an account</a>
          </>
        )}
      </p>
    </div>
  );
}
