/**
 * Messages on the work queue (stage 1m, and locally with QUEUE=postgres). The
 * API and the thumbnail Lambda send them; the worker (api/src/worker.ts)
 * consumes them. JSON bodies, the same on SQS and in the `jobs` table; every
 * message names its `type` and `version`, so the shape can evolve while old
 * messages are still queued. IDs are 64-bit integers as decimal strings (the
 * API contract). docs/queue.md describes each job.
 *
 *   feed.fanout   { "type": "feed.fanout", "version": 1, "photoId": "…", "authorId": "…" }
 *   feed.retract  { "type": "feed.retract", "version": 1, "photoId": "…", "authorId": "…" }
 *   feed.backfill { "type": "feed.backfill", "version": 1, "followerId": "…", "followeeId": "…" }
 *   photo.ready   { "type": "photo.ready", "version": 1, "photoId": "…" }
 *
 * A message carries IDs only, never rows: the handler reads the current state
 * (does the photo still exist, does the follow still hold), which is what makes
 * a late or repeated delivery harmless.
 *
 * Shared by api/ (sends and consumes them) and lambda/thumbnails (sends
 * `photo.ready`); imports nothing.
 */
export interface FeedFanoutMessage {
  readonly type: 'feed.fanout';
  readonly version: 1;
  readonly photoId: string;
  readonly authorId: string;
}

export interface FeedRetractMessage {
  readonly type: 'feed.retract';
  readonly version: 1;
  readonly photoId: string;
  readonly authorId: string;
}

export interface FeedBackfillMessage {
  readonly type: 'feed.backfill';
  readonly version: 1;
  readonly followerId: string;
  readonly followeeId: string;
}

export interface PhotoReadyMessage {
  readonly type: 'photo.ready';
  readonly version: 1;
  readonly photoId: string;
}

export type JobMessage = FeedFanoutMessage | FeedRetractMessage | FeedBackfillMessage | PhotoReadyMessage;
export type JobType = JobMessage['type'];
export const JOB_TYPES: readonly JobType[] = ['feed.fanout', 'feed.retract', 'feed.backfill', 'photo.ready'];

/** A message that can never be processed: the worker sends it to the dead letters at once (SQS: after its receives). */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
}

const ID = /^[1-9]\d{0,19}$/;

function id(m: Record<string, unknown>, field: string): string {
  const value = m[field];
  if (typeof value !== 'string' || !ID.test(value) || BigInt(value) > 9223372036854775807n) {
    throw new InvalidMessageError(`${field} must be a decimal ID string`);
  }
  return value;
}

/** Parses and validates one message body; throws InvalidMessageError naming the problem. */
export function parseJobMessage(body: string): JobMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidMessageError('body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidMessageError('body is not a JSON object');
  const m = value as Record<string, unknown>;
  if (m.version !== 1) throw new InvalidMessageError(`unsupported version ${JSON.stringify(m.version)}`);
  switch (m.type) {
    case 'feed.fanout':
    case 'feed.retract':
      return { type: m.type, version: 1, photoId: id(m, 'photoId'), authorId: id(m, 'authorId') };
    case 'feed.backfill':
      return { type: 'feed.backfill', version: 1, followerId: id(m, 'followerId'), followeeId: id(m, 'followeeId') };
    case 'photo.ready':
      return { type: 'photo.ready', version: 1, photoId: id(m, 'photoId') };
    default:
      throw new InvalidMessageError(`unknown type ${JSON.stringify(m.type)}`);
  }
}

/** A `photo.ready` message (the thumbnail Lambda sends it after writing the thumbnail). */
export function photoReady(photoId: string): PhotoReadyMessage {
  return { type: 'photo.ready', version: 1, photoId };
}
