import { DEFAULT_MAX_INPUT_PIXELS } from "./config.js";
import type { OutputFormat } from "./output-options.js";
import { tooManyPixels, unsupportedMediaType } from "./problems.js";
import { sharp } from "./sharp-setup.js";

export interface GrayscaleOptions {
  readonly format?: OutputFormat;
  /** Resize to this width, keeping the aspect ratio; never enlarges. */
  readonly width?: number;
  /** Refuse (413) an image whose header announces more pixels than this. Default 50 000 000. */
  readonly maxInputPixels?: number;
}

export interface GrayscaleResult {
  readonly data: Buffer;
  readonly format: OutputFormat;
}

const ACCEPTED_FORMATS = new Set(["jpeg", "png", "webp"]);

/**
 * Converts a JPEG, PNG or WebP to a single-channel grayscale JPEG (or PNG), upright per its EXIF orientation and
 * optionally narrower. The header is read first (no pixel decoded) to check the format and the pixel count, so
 * a decompression bomb is refused with 413 before libvips allocates anything for it; sharp's own
 * `limitInputPixels` guards the decode as well. JPEG has no alpha: transparent areas become white. A PNG keeps
 * its alpha as a second channel. Metadata (EXIF, GPS, ICC) is not copied to the output.
 *
 * The sharp pipeline, for anyone reproducing it: `sharp(input, { autoOrient: true })`, `.resize({ width,
 * withoutEnlargement: true })`, then `.flatten({ background: "#ffffff" }).toColourspace("b-w").jpeg()` or
 * `.toColourspace("b-w").png()`.
 */
export async function toGrayscale(input: Buffer, options: GrayscaleOptions = {}): Promise<GrayscaleResult> {
  const format = options.format ?? "jpeg";
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const size = await readHeader(input, maxInputPixels);
  if (size.width * size.height > maxInputPixels) throw tooManyPixels(maxInputPixels, size);

  let pipeline = sharp(input, { autoOrient: true, limitInputPixels: maxInputPixels });
  if (options.width !== undefined) pipeline = pipeline.resize({ width: options.width, withoutEnlargement: true });
  pipeline =
    format === "jpeg"
      ? pipeline.flatten({ background: "#ffffff" }).toColourspace("b-w").jpeg()
      : pipeline.toColourspace("b-w").png();
  try {
    return { data: await pipeline.toBuffer(), format };
  } catch {
    // The header was sound and the pipeline's parameters are validated, so a failure here is the pixel data's:
    // truncated or corrupt. That is the client's input, never a server fault.
    throw unsupportedMediaType("The image data is truncated or corrupt: it could not be decoded.");
  }
}

/** Format and dimensions from the header alone; 415 unless it is a JPEG, PNG or WebP. */
async function readHeader(input: Buffer, maxInputPixels: number): Promise<{ width: number; height: number }> {
  if (input.length === 0) throw unsupportedMediaType("The body is empty: send a JPEG, PNG or WebP image.");
  let metadata: { format?: string; width?: number; height?: number };
  try {
    // No pixel limit here: this reads the header only, and the limit is checked below with a clear answer.
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    // A header whose dimensions the decoder itself will not take ("image width exceeds user limit") is a bomb.
    if (/exceeds .*limit/i.test((error as Error).message)) throw tooManyPixels(maxInputPixels);
    // Also what a GIF, SVG, TIFF… gets: their loaders are blocked (sharp-setup.ts), so libvips knows no format.
    throw unsupportedMediaType("The body is not a JPEG, PNG or WebP image.");
  }
  const { format, width, height } = metadata;
  // Checked again here so that the accepted formats never depend on the loader blocklist alone.
  if (format === undefined || !ACCEPTED_FORMATS.has(format)) {
    throw unsupportedMediaType("The body is not a JPEG, PNG or WebP image.");
  }
  if (!width || !height) throw unsupportedMediaType("The image header has no dimensions.");
  return { width, height };
}
