import { deflateSync } from "node:zlib";
import sharp from "sharp";

// Test support: images made with sharp itself (so the tests need no fixture files), and hand-made headers.

export type InputFormat = "jpeg" | "png" | "webp";

export interface SolidOptions {
  width?: number;
  height?: number;
  color?: { r: number; g: number; b: number; alpha?: number };
}

/** A one-colour image in `format`; with `color.alpha` below 1 a PNG or WebP gets an alpha channel. */
export function solidImage(format: InputFormat, options: SolidOptions = {}): Promise<Buffer> {
  const { width = 64, height = 48, color = { r: 200, g: 30, b: 30 } } = options;
  const channels = color.alpha === undefined ? 3 : 4;
  return sharp({ create: { width, height, channels, background: color } })
    .toFormat(format, format === "webp" ? { lossless: true } : {})
    .toBuffer();
}

/** Left half black, right half white, stored with an EXIF Orientation tag (6: "rotate 90° clockwise to view"). */
export async function halfBlackJpeg(width: number, height: number, orientation: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3, 255);
  for (let y = 0; y < height; y++) raw.fill(0, y * width * 3, (y * width + width / 2) * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation })
    .toBuffer();
}

/**
 * A photo-like colour JPEG: gradients plus deterministic noise, so it compresses like a camera frame
 * (a flat image would be a few kilobytes and prove little about size limits).
 */
export function photoLikeJpeg(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let seed = 0x2545f491;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed >>> 24) % 48;
      const i = (y * width + x) * 3;
      raw[i] = ((x * 255) / width + noise) & 255;
      raw[i + 1] = ((y * 255) / height + noise) & 255;
      raw[i + 2] = ((x ^ y) + noise) & 255;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/**
 * A tiny PNG whose IHDR claims `width` × `height` 8-bit gray pixels, followed by an IDAT that is not even valid
 * zlib: a decoder that trusted the header would try to allocate the whole image, and one that decoded the data
 * would fail with a decode error, not a size one.
 */
export function claimedSizePng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: gray
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", Buffer.from("not a zlib stream")),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A valid PNG chunk, so the only lie in `claimedSizePng` is the size. */
function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

// node:zlib's crc32 is Node 20+; the functions' tests also run on Node 18.
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A valid, small PNG built by hand (not by sharp), to prove `claimedSizePng`'s chunks are well formed. */
export function handMadePng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 0;
  const rows = Buffer.alloc((width + 1) * height, 0x80);
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0; // filter byte: none
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(rows)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}
