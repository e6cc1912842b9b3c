import { ProblemError, problemType } from "@coffee-edge/node18-typescript";

export const ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;

/** 415: the bytes are not a JPEG, PNG or WebP this function can decode; `detail` says why. */
export function unsupportedMediaType(detail: string): ProblemError {
  return new ProblemError(415, {
    type: problemType("unsupported-media-type"),
    title: "Unsupported media type",
    detail,
    extensions: { accepted: ACCEPTED_TYPES },
    headers: { "accept-post": ACCEPTED_TYPES.join(", ") },
  });
}

/**
 * 413: the header announces more pixels than MAX_INPUT_PIXELS, however small the file is. `size` is absent when
 * the decoder itself refused dimensions past its own limits (a PNG 2^31 pixels wide), which says as much.
 */
export function tooManyPixels(maxPixels: number, size?: { width: number; height: number }): ProblemError {
  const title = "Image has too many pixels";
  const type = problemType("too-many-pixels");
  if (size === undefined) {
    return new ProblemError(413, {
      type,
      title,
      detail: `The image header announces dimensions past the decoder's limits; at most ${maxPixels} pixels are accepted.`,
      extensions: { maxPixels },
    });
  }
  const { width, height } = size;
  return new ProblemError(413, {
    type,
    title,
    detail: `The image is ${width} × ${height} = ${width * height} pixels; at most ${maxPixels} are accepted.`,
    extensions: { width, height, pixels: width * height, maxPixels },
  });
}
