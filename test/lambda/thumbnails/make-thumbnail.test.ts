import { Jimp } from 'jimp';
import { jpegSize } from './jpeg-size';
import { makeThumbnail, sniffImageType, UndecodableImageError } from '../../../lambda/thumbnails/make-thumbnail';

async function image(width: number, height: number, mime: 'image/png' | 'image/jpeg'): Promise<Buffer> {
  return new Jimp({ width, height, color: 0x3366ccff }).getBuffer(mime);
}

describe('makeThumbnail', () => {
  test('scales a wide PNG down to the maximum width, keeping the aspect ratio, as JPEG', async () => {
    const thumb = await makeThumbnail(await image(1280, 720, 'image/png'), 640);
    expect([thumb.width, thumb.height]).toEqual([640, 360]);
    expect(sniffImageType(thumb.body)).toBe('image/jpeg');
    const decoded = await jpegSize(thumb.body);
    expect(decoded).toEqual([640, 360]);
  });

  test('never scales a small JPEG up', async () => {
    const thumb = await makeThumbnail(await image(200, 300, 'image/jpeg'), 640);
    expect([thumb.width, thumb.height]).toEqual([200, 300]);
  });

  test('rejects bytes that are not an image with UndecodableImageError', async () => {
    await expect(makeThumbnail(Buffer.from('not an image at all'), 640)).rejects.toBeInstanceOf(UndecodableImageError);
  });

  test('sniffs the type from the bytes, not from a declared content type', async () => {
    expect(sniffImageType(await image(4, 4, 'image/png'))).toBe('image/png');
    expect(sniffImageType(Buffer.from('RIFF....WEBPVP8 '))).toBeUndefined();
  });

  test('rejects a non-positive maximum width', async () => {
    await expect(makeThumbnail(await image(10, 10, 'image/png'), 0)).rejects.toThrow('maxWidthPx must be a positive integer');
  });
});
