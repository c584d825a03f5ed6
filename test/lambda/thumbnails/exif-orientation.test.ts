import { defaultFormats, Jimp } from 'jimp';
import { orientBitmap, readJpegOrientation } from '../../../lambda/thumbnails/exif-orientation';
import { makeThumbnail } from '../../../lambda/thumbnails/make-thumbnail';

/** An APP1 EXIF segment holding only IFD0 with one Orientation entry, in either byte order. */
function exifSegment(orientation: number, littleEndian: boolean): Buffer {
  const tiff = Buffer.alloc(8 + 2 + 12 + 4);
  const u16 = (v: number, at: number) => (littleEndian ? tiff.writeUInt16LE(v, at) : tiff.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (littleEndian ? tiff.writeUInt32LE(v, at) : tiff.writeUInt32BE(v, at));
  tiff.write(littleEndian ? 'II' : 'MM', 0, 'latin1');
  u16(42, 2);
  u32(8, 4); // IFD0 right after the header
  u16(1, 8); // one entry
  u16(0x0112, 10); // Orientation
  u16(3, 12); // SHORT
  u32(1, 14); // count
  u16(orientation, 18);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
}

/** Puts the EXIF segment right after the JPEG's SOI marker. */
function withOrientation(jpeg: Buffer, orientation: number, littleEndian = true): Buffer {
  return Buffer.concat([jpeg.subarray(0, 2), exifSegment(orientation, littleEndian), jpeg.subarray(2)]);
}

/** A 40x20 JPEG as stored by the camera: left half red, right half blue. */
async function sensorJpeg(): Promise<Buffer> {
  const image = new Jimp({ width: 40, height: 20, color: 0x0000ffff });
  for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) image.setPixelColor(0xff0000ff, x, y);
  return image.getBuffer('image/jpeg', { quality: 95 });
}

async function decodeJpeg(bytes: Buffer) {
  const jpeg = defaultFormats.map((f) => f()).find((f) => f.mime === 'image/jpeg')!;
  return Jimp.fromBitmap(await jpeg.decode(bytes));
}

const isRed = (rgba: number) => rgba >>> 24 > 180 && ((rgba >>> 8) & 0xff) < 80;
const isBlue = (rgba: number) => rgba >>> 24 < 80 && ((rgba >>> 8) & 0xff) > 180;

describe('EXIF orientation', () => {
  test('reads the orientation tag in both byte orders, and 1 when absent', async () => {
    const jpeg = await sensorJpeg();
    expect(readJpegOrientation(jpeg)).toBe(1);
    expect(readJpegOrientation(withOrientation(jpeg, 6, true))).toBe(6);
    expect(readJpegOrientation(withOrientation(jpeg, 8, false))).toBe(8);
    expect(readJpegOrientation(Buffer.from('not a jpeg'))).toBe(1);
  });

  test('a photo taken upright on a phone (orientation 6) becomes a portrait thumbnail, turned clockwise', async () => {
    const thumb = await makeThumbnail(withOrientation(await sensorJpeg(), 6), 640);
    expect([thumb.width, thumb.height]).toEqual([20, 40]);
    const image = await decodeJpeg(thumb.body);
    expect([image.bitmap.width, image.bitmap.height]).toEqual([20, 40]);
    // Turned 90° clockwise, the sensor's left (red) half is on top.
    expect(isRed(image.getPixelColor(10, 5))).toBe(true);
    expect(isBlue(image.getPixelColor(10, 35))).toBe(true);
  });

  test('the maximum width applies to the displayed width of a turned photo', async () => {
    const thumb = await makeThumbnail(withOrientation(await sensorJpeg(), 8), 10);
    expect([thumb.width, thumb.height]).toEqual([10, 20]);
  });

  test('every orientation maps pixels like the EXIF table (checked on a 3x2 bitmap)', () => {
    // Pixels numbered 0..5 row by row; each pixel's 4 bytes hold its number.
    const source = { width: 3, height: 2, data: Buffer.from([0, 1, 2, 3, 4, 5].flatMap((n) => [n, n, n, n])) };
    const numbers = (o: number) => {
      const out = orientBitmap(source, o);
      return { size: [out.width, out.height], rows: Array.from({ length: out.height }, (_, y) => Array.from({ length: out.width }, (_, x) => out.data[(y * out.width + x) * 4])) };
    };
    expect(numbers(1)).toEqual({ size: [3, 2], rows: [[0, 1, 2], [3, 4, 5]] });
    expect(numbers(2)).toEqual({ size: [3, 2], rows: [[2, 1, 0], [5, 4, 3]] });
    expect(numbers(3)).toEqual({ size: [3, 2], rows: [[5, 4, 3], [2, 1, 0]] });
    expect(numbers(4)).toEqual({ size: [3, 2], rows: [[3, 4, 5], [0, 1, 2]] });
    expect(numbers(5)).toEqual({ size: [2, 3], rows: [[0, 3], [1, 4], [2, 5]] });
    expect(numbers(6)).toEqual({ size: [2, 3], rows: [[3, 0], [4, 1], [5, 2]] });
    expect(numbers(7)).toEqual({ size: [2, 3], rows: [[5, 2], [4, 1], [3, 0]] });
    expect(numbers(8)).toEqual({ size: [2, 3], rows: [[2, 5], [1, 4], [0, 3]] });
  });
});
