/**
 * EXIF orientation for JPEGs: phones store pixels as the sensor saw them and
 * record how to turn them (tag 0x0112). Thumbnails must be turned the same way
 * or portrait photos come out sideways. jimp only applies it inside
 * `Jimp.fromBuffer`, which we do not use (see make-thumbnail.ts).
 */

/** The orientation (1-8) of a JPEG, 1 when absent or unreadable. */
export function readJpegOrientation(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0) !== 0xffd8) return 1;
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    const marker = view.getUint16(offset);
    if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return 1; // not a marker, or start of scan: no EXIF before the pixels
    const length = view.getUint16(offset + 2);
    if (marker === 0xffe1 && offset + 4 + length - 2 <= bytes.length) {
      const orientation = orientationFromExif(view, offset + 4, length - 2);
      if (orientation) return orientation;
    }
    offset += 2 + length;
  }
  return 1;
}

function orientationFromExif(view: DataView, start: number, length: number): number | undefined {
  // "Exif\0\0", then a TIFF header: byte order, 42, offset of the first IFD.
  if (length < 14 || view.getUint32(start) !== 0x45786966 || view.getUint16(start + 4) !== 0) return undefined;
  const tiff = start + 6;
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return undefined;
  const little = order === 0x4949;
  if (view.getUint16(tiff + 2, little) !== 42) return undefined;
  const ifd = tiff + view.getUint32(tiff + 4, little);
  const end = start + length;
  if (ifd + 2 > end) return undefined;
  const entries = view.getUint16(ifd, little);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) return undefined;
    if (view.getUint16(entry, little) === 0x0112) {
      const value = view.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  }
  return undefined;
}

/** True when the orientation swaps width and height (the 90°/270° turns). */
export function swapsDimensions(orientation: number): boolean {
  return orientation >= 5 && orientation <= 8;
}

export interface RgbaBitmap {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

/**
 * Returns the bitmap turned upright. For each pixel (x, y) of the result, the
 * source pixel it comes from, per orientation (the EXIF 2.3 table).
 */
export function orientBitmap(source: RgbaBitmap, orientation: number): RgbaBitmap {
  if (orientation < 2 || orientation > 8) return source;
  const { width: w, height: h } = source;
  const swap = swapsDimensions(orientation);
  const width = swap ? h : w;
  const height = swap ? w : h;
  const from: Record<number, (x: number, y: number) => [number, number]> = {
    2: (x, y) => [w - x - 1, y], // mirrored horizontally
    3: (x, y) => [w - x - 1, h - y - 1], // turned 180°
    4: (x, y) => [x, h - y - 1], // mirrored vertically
    5: (x, y) => [y, x], // transposed
    6: (x, y) => [y, h - x - 1], // needs 90° clockwise
    7: (x, y) => [w - y - 1, h - x - 1], // transversed
    8: (x, y) => [w - y - 1, x], // needs 90° counter-clockwise
  };
  const map = from[orientation];
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = map(x, y);
      source.data.copy(data, (y * width + x) * 4, (sy * w + sx) * 4, (sy * w + sx) * 4 + 4);
    }
  }
  return { data, width, height };
}
