import type { Migration } from './migration';
import { initialSchema } from './0001-initial-schema';
import { shardHomesAndGuard } from './0002-shard-homes-and-guard';
import { feedEntriesAndJobs } from './0003-feed-entries-and-jobs';
import { reshardRuns } from './0004-reshard-runs';
import { uploadClaims } from './0005-upload-claims';
import { usernamePrefix } from './0006-username-prefix';

export type { Migration } from './migration';

/**
 * Every migration, in order. They are TypeScript modules holding SQL text
 * (not .sql files) so that esbuild embeds them in the one-file bundle and tsx
 * and Jest load them unchanged, with no loader or file lookup at run time.
 */
export const MIGRATIONS: readonly Migration[] = [initialSchema, shardHomesAndGuard, feedEntriesAndJobs, reshardRuns, uploadClaims, usernamePrefix];
