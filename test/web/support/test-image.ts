import { Jimp } from 'jimp';

/**
 * A real PNG for uploads (the browser must decode it, so random bytes would
 * not do): a sky gradient with a low sun and a sea line. `tint` (0..1) shifts
 * the colours so two uploads are told apart at a glance.
 */
export async function makeTestPng(size = 480, tint = 0): Promise<Buffer> {
  const image = new Jimp({ width: size, height: size, color: 0xffffffff });
  const sun = { x: size * (0.3 + 0.4 * tint), y: size * 0.62, r: size * 0.11 };
  const horizon = size * 0.68;
  const data = image.bitmap.data;
  image.scan(0, 0, size, size, (x, y, idx) => {
    const t = y / horizon;
    let rgb: [number, number, number];
    if (y < horizon) {
      // Sky: deep blue at the top to warm near the horizon.
      rgb = [40 + 215 * t, 60 + (120 - 80 * tint) * t, 140 - (60 - 40 * tint) * t];
      const d = Math.hypot(x - sun.x, y - sun.y);
      if (d < sun.r) rgb = [255, 230 - 60 * tint, 150];
      else if (d < sun.r * 2.2) {
        const glow = 1 - (d - sun.r) / (sun.r * 1.2);
        rgb = [rgb[0] + (255 - rgb[0]) * glow * 0.5, rgb[1] + (200 - rgb[1]) * glow * 0.5, rgb[2]];
      }
    } else {
      // Sea: darker, with the sun's reflection in stripes.
      const s = (y - horizon) / (size - horizon);
      rgb = [20 + 40 * (1 - s), 50 + 30 * (1 - s), 90 + 40 * (1 - s)];
      if (Math.abs(x - sun.x) < sun.r * (1 - s * 0.6) && Math.floor(y / 6) % 2 === 0) rgb = [230, 170 - 40 * tint, 110];
    }
    data[idx] = Math.round(Math.min(255, rgb[0]));
    data[idx + 1] = Math.round(Math.min(255, rgb[1]));
    data[idx + 2] = Math.round(Math.min(255, rgb[2]));
    data[idx + 3] = 255;
  });
  return image.getBuffer('image/png');
}
