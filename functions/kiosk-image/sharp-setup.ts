import sharp from "sharp";

/** The only loaders libvips may run in this process: one per accepted format, reading from memory. */
export const ALLOWED_LOADERS = ["VipsForeignLoadJpegBuffer", "VipsForeignLoadPngBuffer", "VipsForeignLoadWebpBuffer"];

/**
 * Process-wide sharp settings, applied once on import.
 * - No operation cache: a store box converts one camera frame at a time, and libvips' cache would keep
 *   decoded frames (tens of MB each) around for nothing.
 * - Every libvips loader blocked but the three accepted formats: bytes from the network never reach the SVG,
 *   PDF, TIFF, HEIF, GIF… parsers, whatever they claim to be.
 */
sharp.cache(false);
sharp.block({ operation: ["VipsForeignLoad"] });
sharp.unblock({ operation: ALLOWED_LOADERS });

export { sharp };
