import type { Octokit } from '@octokit/rest';
import type { RepositoryRef } from './github-client';

/** GitHub refuses an issue comment longer than this many characters. */
export const COMMENT_LIMIT = 65_536;

export interface MarkedCommentTarget extends RepositoryRef {
  /** The pull request's number (pull requests are issues to the comments API). */
  readonly issueNumber: number;
  /**
   * A hidden HTML comment that opens the body and identifies the comment, so
   * that later runs find and update it instead of adding another.
   */
  readonly marker: string;
}

export interface UpsertedComment {
  readonly action: 'created' | 'updated';
  readonly id: number;
  readonly url: string;
}

/** The body as posted: opening with the marker (added on its own line unless there), cut to GitHub's limit with a note. */
export function markedBody(marker: string, body: string, limit = COMMENT_LIMIT): string {
  const full = body.startsWith(marker) ? body : `${marker}\n${body}`;
  if (full.length <= limit) return full;
  const note = '\n\n…(cut at GitHub\'s comment limit: the whole report is in the workflow run\'s job summary)\n';
  return `${full.slice(0, limit - note.length)}${note}`;
}

/**
 * The first comment whose body opens with the marker. Only an opening marker
 * counts: a reply quoting the comment starts with "> ", so it is never taken
 * for it.
 */
export function findMarkedComment<C extends { readonly body?: string | null }>(comments: readonly C[], marker: string): C | undefined {
  return comments.find((comment) => (comment.body ?? '').startsWith(marker));
}

/**
 * Creates the pull request's marked comment, or updates it in place when an
 * earlier run made it: lists every comment (all pages, following the Link
 * headers), finds the marker, then PATCHes that comment or POSTs a new one.
 */
export async function upsertMarkedComment(octokit: Octokit, target: MarkedCommentTarget, body: string): Promise<UpsertedComment> {
  const { owner, repo, issueNumber, marker } = target;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 });
  const previous = findMarkedComment(comments, marker);
  const text = markedBody(marker, body);
  if (previous) {
    const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body: text });
    return { action: 'updated', id: data.id, url: data.html_url };
  }
  const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body: text });
  return { action: 'created', id: data.id, url: data.html_url };
}
