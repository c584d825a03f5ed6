import { Jimp } from 'jimp';

/**
 * A real PNG (a colour gradient with a label-free pattern) for uploads: the
 * browser must decode it, so a few random bytes would not do.
 */
export async function makeTestPng(size = 480, hue = 0): Promise<Buffer> {
  const image = new Jimp({ width: size, height: size, color: 0xffffffff });
  image.scan(0, 0, size, size, (x, y, idx) => {
    const t = (x + y) / (2 * size);
    image.bitmap.data[idx] = Math.round(255 * ((t + hue) % 1));
    image.bitmap.data[idx + 1] = Math.round(180 * (1 - t));
    image.bitmap.data[idx + 2] = Math.round(120 + 135 * ((x / size + hue) % 1));
    image.bitmap.data[idx + 3] = 255;
  });
  return image.getBuffer('image/png');
}
