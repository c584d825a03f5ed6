import type { ThumbnailSettings } from './process-upload';

/** Reads the function's settings from its environment (set by the media construct); throws on bad values. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): ThumbnailSettings {
  return {
    maxWidthPx: positiveInt(env, 'THUMBNAIL_MAX_WIDTH_PX'),
    maxSourceBytes: positiveInt(env, 'MAX_SOURCE_BYTES'),
  };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string): number {
  const raw = env[name];
  const value = Number(raw);
  if (raw === undefined || !Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** WORK_QUEUE_URL (stage 1m), or undefined; throws when it is set but not an http(s) URL. */
export function workQueueUrlFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.WORK_QUEUE_URL?.trim();
  if (!raw) return undefined;
  if (!/^https?:\/\/[^\s/]+\/\S+$/.test(raw)) throw new Error(`WORK_QUEUE_URL must be an SQS queue URL, got ${JSON.stringify(raw)}`);
  return raw;
}
