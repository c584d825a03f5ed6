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
