import type { PhotoRow } from '../repositories/photos-repository';

/** A feed page's rows, newest first (`limit + 1` at most), as PullFeed and FeedReader read them. */
export interface FeedPage {
  readonly rows: PhotoRow[];
  /**
   * Which of `rows` the reader likes, when they were read with the rows (a
   * like lives with its photo): the page then needs no likedBy query.
   * Undefined: not known for every row, ask (PhotoViews.views).
   */
  readonly likedByReader?: ReadonlySet<string>;
}
