import type { Migration } from './migration';

/**
 * One upload per photo at a time, and abandoned photos found cheaply.
 *
 * `upload_claim` / `upload_claimed_at`: an upload first claims its pending
 * photo (one UPDATE: only one request can set the claim), and only the
 * claim's holder can make it ready, under the row lock a delete also takes;
 * so concurrent uploads of one photo get 409, and an upload that loses a race
 * with a delete removes its own bytes. A claim older than the request timeout
 * belongs to a request that can no longer be running (its process was
 * killed) and may be taken over.
 *
 * `photos_pending_idx`: the sweep of photos whose bytes never arrived reads
 * only pending rows (a handful) instead of every photo.
 */
export const uploadClaims: Migration = {
  version: 5,
  name: 'upload-claims',
  sql: `
ALTER TABLE photos
  ADD COLUMN upload_claim      uuid,
  ADD COLUMN upload_claimed_at timestamptz;
CREATE INDEX photos_pending_idx ON photos (created_at) WHERE status = 'pending';
`,
};
