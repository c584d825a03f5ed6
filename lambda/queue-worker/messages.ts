/**
 * Messages on the work queue (stage 1m). The API sends them; the queue worker
 * consumes them. JSON in the SQS message body; every message names its `type`
 * and `version` so the shape can evolve while old messages are still queued.
 *
 * feed.fanout  (version 1): a new photo goes into its author's followers' feeds.
 *   { "type": "feed.fanout", "version": 1, "photoId": "…", "authorId": "…",
 *     "createdAt": "2026-11-25T21:00:00.000Z", "followerIds": ["…", …] }
 * feed.retract (version 1): a deleted photo leaves those feeds.
 *   { "type": "feed.retract", "version": 1, "photoId": "…", "followerIds": ["…", …] }
 *
 * IDs are 64-bit integers as decimal strings (the API contract). A photo with
 * more followers than MAX_FOLLOWERS_PER_MESSAGE is sent as several messages
 * (`chunkFollowers`): SQS bodies are limited to 256 KiB and one batch item must
 * finish well within the worker's timeout.
 */
export const MAX_FOLLOWERS_PER_MESSAGE = 1000;

export interface FeedFanoutMessage {
  readonly type: 'feed.fanout';
  readonly version: 1;
  readonly photoId: string;
  readonly authorId: string;
  /** ISO 8601; orders the feed (newest first). */
  readonly createdAt: string;
  readonly followerIds: readonly string[];
}

export interface FeedRetractMessage {
  readonly type: 'feed.retract';
  readonly version: 1;
  readonly photoId: string;
  readonly followerIds: readonly string[];
}

export type WorkMessage = FeedFanoutMessage | FeedRetractMessage;

/** A message that can never be processed; it goes to the dead-letter queue after its receives. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
}

const ID = /^[1-9]\d{0,19}$/;

/** Parses and validates one SQS message body; throws InvalidMessageError naming the problem. */
export function parseWorkMessage(body: string): WorkMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidMessageError('body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidMessageError('body is not a JSON object');
  const m = value as Record<string, unknown>;
  if (m.version !== 1) throw new InvalidMessageError(`unsupported version ${JSON.stringify(m.version)}`);
  const photoId = id(m, 'photoId');
  const followerIds = followers(m);
  switch (m.type) {
    case 'feed.fanout': {
      const createdAt = m.createdAt;
      if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt))) throw new InvalidMessageError('createdAt must be an ISO 8601 timestamp');
      return { type: 'feed.fanout', version: 1, photoId, authorId: id(m, 'authorId'), createdAt, followerIds };
    }
    case 'feed.retract':
      return { type: 'feed.retract', version: 1, photoId, followerIds };
    default:
      throw new InvalidMessageError(`unknown type ${JSON.stringify(m.type)}`);
  }
}

function id(m: Record<string, unknown>, field: string): string {
  const value = m[field];
  if (typeof value !== 'string' || !ID.test(value)) throw new InvalidMessageError(`${field} must be a decimal ID string`);
  return value;
}

function followers(m: Record<string, unknown>): string[] {
  const value = m.followerIds;
  if (!Array.isArray(value) || value.length > MAX_FOLLOWERS_PER_MESSAGE || !value.every((v) => typeof v === 'string' && ID.test(v))) {
    throw new InvalidMessageError(`followerIds must be an array of at most ${MAX_FOLLOWERS_PER_MESSAGE} decimal ID strings`);
  }
  return value;
}

/** Splits a follower list into message-sized chunks (for the sender). */
export function chunkFollowers(followerIds: readonly string[], size = MAX_FOLLOWERS_PER_MESSAGE): string[][] {
  const chunks: string[][] = [];
  for (let i = 0; i < followerIds.length; i += size) chunks.push(followerIds.slice(i, i + size));
  return chunks;
}
