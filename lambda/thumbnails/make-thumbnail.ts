import { defaultFormats, Jimp } from 'jimp';
import { orientBitmap, readJpegOrientation, swapsDimensions } from './exif-orientation';

/** A thumbnail ready to store. */
export interface Thumbnail {
  readonly body: Buffer;
  readonly contentType: 'image/jpeg';
  readonly width: number;
  readonly height: number;
}

/** Content types jimp (pure JavaScript, no native modules) can decode. */
export const DECODABLE_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/gif', 'image/bmp', 'image/tiff'];

/** Thrown for bytes that are not an image jimp can read: retrying cannot help. */
export class UndecodableImageError extends Error {
  override readonly name = 'UndecodableImageError';
}

/**
 * The image type from the file's magic bytes. We sniff it ourselves rather than
 * trusting the uploader's Content-Type, and rather than `Jimp.fromBuffer`, whose
 * detection loads the ESM-only `file-type` package through a dynamic import.
 */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x42, 0x4d)) return 'image/bmp';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'image/tiff';
  return undefined;
}

const DECODERS = new Map<string, ReturnType<(typeof defaultFormats)[number]>>(defaultFormats.map((format) => format()).map((format) => [format.mime, format]));

async function decode(source: Uint8Array) {
  const type = sniffImageType(source);
  const format = type && DECODERS.get(type);
  if (!format) throw new UndecodableImageError('not a JPEG, PNG, GIF, BMP or TIFF image');
  try {
    return Jimp.fromBitmap(await format.decode(Buffer.from(source)));
  } catch (error) {
    throw new UndecodableImageError(`corrupt ${type}: ${(error as Error).message}`);
  }
}

/**
 * Scales an image down to at most `maxWidthPx` wide as displayed, keeping its
 * aspect ratio (never scaling up), turns it upright per its EXIF orientation,
 * and encodes it as JPEG (which then carries no orientation: it is upright).
 */
export async function makeThumbnail(source: Uint8Array, maxWidthPx: number, quality = 80): Promise<Thumbnail> {
  if (!Number.isInteger(maxWidthPx) || maxWidthPx < 1) throw new Error(`maxWidthPx must be a positive integer, got ${maxWidthPx}`);
  const image = await decode(source);
  const orientation = sniffImageType(source) === 'image/jpeg' ? readJpegOrientation(source) : 1;
  // Scale first (cheaper), on the stored side that becomes the displayed width.
  if (swapsDimensions(orientation)) {
    if (image.bitmap.height > maxWidthPx) image.resize({ h: maxWidthPx });
  } else if (image.bitmap.width > maxWidthPx) {
    image.resize({ w: maxWidthPx });
  }
  const upright = Jimp.fromBitmap(orientBitmap(image.bitmap, orientation));
  const body = await upright.getBuffer('image/jpeg', { quality });
  return { body, contentType: 'image/jpeg', width: upright.bitmap.width, height: upright.bitmap.height };
}
