import { defaultFormats } from 'jimp';

/** Decodes a JPEG with jimp's own decoder (not the code under test) and returns [width, height]. */
export async function jpegSize(bytes: Buffer): Promise<[number, number]> {
  const jpeg = defaultFormats.map((format) => format()).find((format) => format.mime === 'image/jpeg');
  if (!jpeg) throw new Error('jimp has no JPEG decoder');
  const bitmap = await jpeg.decode(bytes);
  return [bitmap.width, bitmap.height];
}
