import { Octokit } from '@octokit/rest';
import { CliError } from '../../contracts/cli';

/** The repository a workflow runs in (`GITHUB_REPOSITORY`, "owner/name"). */
export interface RepositoryRef {
  readonly owner: string;
  readonly repo: string;
}

/** What the tools read from a workflow's environment (the variables GitHub Actions sets). */
export interface GitHubEnvironment {
  readonly token: string;
  readonly repository: RepositoryRef;
  /** `GITHUB_API_URL`: https://api.github.com, a GitHub Enterprise server's, or a test's loopback server. */
  readonly apiUrl: string;
}

/**
 * Reads `GITHUB_TOKEN`, `GITHUB_REPOSITORY` and `GITHUB_API_URL`; a missing
 * or malformed one is a CliError (exit 2) naming it.
 */
export function gitHubEnvironment(env: NodeJS.ProcessEnv = process.env): GitHubEnvironment {
  const problems: string[] = [];
  const token = env.GITHUB_TOKEN ?? '';
  if (!token) problems.push('GITHUB_TOKEN is not set (in a workflow: env: GITHUB_TOKEN: ${{ github.token }})');
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(env.GITHUB_REPOSITORY ?? '');
  if (!match) problems.push(`GITHUB_REPOSITORY must be "owner/name", not "${env.GITHUB_REPOSITORY ?? ''}"`);
  if (problems.length > 0) throw new CliError(problems.join('\n'));
  return { token, repository: { owner: match![1], repo: match![2] }, apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '') };
}

/** The REST client every GitHub tool uses: the real Octokit, pointed at `apiUrl`. */
export function gitHubClient(env: Pick<GitHubEnvironment, 'token' | 'apiUrl'>): Octokit {
  return new Octokit({
    auth: env.token,
    baseUrl: env.apiUrl,
    userAgent: 'graminsta-tools',
    // Octokit logs deprecation notices and request failures to the console; the tools report errors themselves.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

/** An HTTP failure from the REST API, as Octokit's RequestError carries it. */
interface HttpFailure {
  readonly status: number;
  readonly message: string;
  readonly response?: { readonly headers?: Record<string, string | number | undefined> };
}

function httpFailure(error: unknown): HttpFailure | undefined {
  const e = error as Partial<HttpFailure>;
  return typeof e?.status === 'number' ? (e as HttpFailure) : undefined;
}

/**
 * True when the token may read but not write: a pull request from a fork
 * gets a read-only `GITHUB_TOKEN`, and every write answers 403 "Resource not
 * accessible by integration". A 403 for an exhausted rate limit is not this.
 * @see https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#permissions-for-the-github_token
 */
export function isReadOnlyToken(error: unknown): boolean {
  const failure = httpFailure(error);
  if (failure?.status !== 403) return false;
  if (String(failure.response?.headers?.['x-ratelimit-remaining'] ?? '') === '0') return false;
  return !/rate limit/i.test(failure.message);
}

/** One line for an API failure: status and GitHub's message, never the token. */
export function describeGitHubError(error: unknown): string {
  const failure = httpFailure(error);
  if (!failure) return (error as Error)?.message?.split('\n')[0] ?? String(error);
  return `HTTP ${failure.status}: ${failure.message.split('\n')[0]}`;
}
