import { ProblemError } from "@coffee-edge/node18-typescript";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { toGrayscale } from "./grayscale.js";
import {
  claimedSizePng,
  halfBlackJpeg,
  handMadePng,
  type InputFormat,
  photoLikeJpeg,
  solidImage,
} from "./test-images.js";

async function problemOf(work: Promise<unknown>): Promise<ProblemError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error instanceof ProblemError) return error;
  throw new Error(`expected a ProblemError, got ${String(error)}`);
}

/** Mean gray level of the rows [top, top + height) of a grayscale image, from its decoded pixels. */
async function meanOfRows(image: Buffer, top: number, height: number): Promise<number> {
  const { data, info } = await sharp(image).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  const rows = data.subarray(top * info.width, (top + height) * info.width);
  return rows.reduce((sum, value) => sum + value, 0) / rows.length;
}

describe("toGrayscale", () => {
  it.each<InputFormat>(["jpeg", "png", "webp"])(
    "turns a colour %s into a single-channel grayscale JPEG",
    async (format) => {
      const input = await solidImage(format, { width: 64, height: 48 });
      const result = await toGrayscale(input);
      expect(result.format).toBe("jpeg");
      const out = await sharp(result.data).metadata();
      expect(out).toMatchObject({ format: "jpeg", channels: 1, space: "b-w", width: 64, height: 48 });
    },
  );

  it("writes a single-channel PNG on request", async () => {
    const result = await toGrayscale(await solidImage("jpeg"), { format: "png" });
    expect(result.format).toBe("png");
    expect(await sharp(result.data).metadata()).toMatchObject({ format: "png", channels: 1, space: "b-w" });
  });

  it("maps colours to their luminance: green brighter than red, red brighter than blue", async () => {
    const gray = async (color: { r: number; g: number; b: number }) => {
      const out = await toGrayscale(await solidImage("png", { color }));
      return (await sharp(out.data).stats()).channels[0]?.mean ?? Number.NaN;
    };
    const [red, green, blue, white] = await Promise.all([
      gray({ r: 255, g: 0, b: 0 }),
      gray({ r: 0, g: 255, b: 0 }),
      gray({ r: 0, g: 0, b: 255 }),
      gray({ r: 255, g: 255, b: 255 }),
    ]);
    expect(green).toBeGreaterThan(red);
    expect(red).toBeGreaterThan(blue);
    expect(white).toBeGreaterThan(green);
  });

  it("puts transparent areas on white in a JPEG, which has no alpha", async () => {
    const input = await solidImage("png", { color: { r: 0, g: 0, b: 0, alpha: 0 } });
    const out = await toGrayscale(input);
    expect((await sharp(out.data).stats()).channels[0]?.mean).toBeGreaterThan(250);
  });

  it("keeps alpha as a second channel in a PNG", async () => {
    const input = await solidImage("webp", { color: { r: 0, g: 0, b: 255, alpha: 0.5 } });
    const out = await toGrayscale(input, { format: "png" });
    const metadata = await sharp(out.data).metadata();
    expect(metadata).toMatchObject({ channels: 2, space: "b-w", hasAlpha: true });
  });

  it("stands the image upright per its EXIF orientation", async () => {
    // Stored 80 × 40 with the left half black; orientation 6 shows it turned clockwise: 40 × 80, top half black.
    const out = await toGrayscale(await halfBlackJpeg(80, 40, 6));
    expect(await sharp(out.data).metadata()).toMatchObject({ width: 40, height: 80 });
    expect(await meanOfRows(out.data, 0, 36)).toBeLessThan(30);
    expect(await meanOfRows(out.data, 44, 36)).toBeGreaterThan(225);
  });

  it("resizes to the asked width keeping the aspect ratio", async () => {
    const out = await toGrayscale(await solidImage("jpeg", { width: 400, height: 300 }), { width: 100 });
    expect(await sharp(out.data).metadata()).toMatchObject({ width: 100, height: 75 });
  });

  it("never enlarges", async () => {
    const out = await toGrayscale(await solidImage("png", { width: 400, height: 300 }), { width: 4000 });
    expect(await sharp(out.data).metadata()).toMatchObject({ width: 400, height: 300 });
  });

  it("refuses from the header alone an image that claims too many pixels (413)", async () => {
    // The data after the header is not even zlib: only a header-based decision can answer 413 here.
    const bomb = claimedSizePng(60_000, 60_000);
    expect(bomb.length).toBeLessThan(100);
    const problem = await problemOf(toGrayscale(bomb));
    expect(problem.status).toBe(413);
    expect(problem.type).toBe("https://coffee-edge.dev/problems/too-many-pixels");
    expect(problem.extensions).toMatchObject({ width: 60_000, height: 60_000, pixels: 3_600_000_000 });
  });

  it("answers 413 too when the header is past the decoder's own limits (2^31 - 1 pixels wide)", async () => {
    const problem = await problemOf(toGrayscale(claimedSizePng(2 ** 31 - 1, 2 ** 31 - 1)));
    expect(problem.status).toBe(413);
    expect(problem.extensions).toEqual({ maxPixels: 50_000_000 });
  });

  it("the claimed-size PNG is a well-formed PNG but for its size: the same chunks make a readable image", async () => {
    const out = await toGrayscale(handMadePng(30, 20));
    expect(await sharp(out.data).metadata()).toMatchObject({ width: 30, height: 20, channels: 1 });
    // …and the same header with a small claimed size fails on its data: a decode error, not a size one.
    expect((await problemOf(toGrayscale(claimedSizePng(30, 20)))).status).toBe(415);
  });

  it("applies the pixel limit it is given, inclusive", async () => {
    const input = await solidImage("jpeg", { width: 100, height: 50 });
    await expect(toGrayscale(input, { maxInputPixels: 5000 })).resolves.toMatchObject({ format: "jpeg" });
    const problem = await problemOf(toGrayscale(input, { maxInputPixels: 4999 }));
    expect(problem.status).toBe(413);
    expect(problem.extensions).toMatchObject({ pixels: 5000, maxPixels: 4999 });
  });

  it.each([
    { case: "empty bytes", input: async () => Buffer.alloc(0) },
    { case: "text", input: async () => Buffer.from("definitely not an image") },
    { case: "JSON", input: async () => Buffer.from('{"hello":"world"}') },
    {
      case: "a GIF",
      input: () =>
        sharp({ create: { width: 8, height: 8, channels: 3, background: "red" } })
          .gif()
          .toBuffer(),
    },
    {
      case: "a TIFF",
      input: () =>
        sharp({ create: { width: 8, height: 8, channels: 3, background: "red" } })
          .tiff()
          .toBuffer(),
    },
    {
      case: "an SVG",
      input: async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>'),
    },
    {
      case: "a PNG signature and nothing else",
      input: async () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    },
    {
      case: "a JPEG cut in the middle of its data",
      input: async () => {
        const jpeg = await photoLikeJpeg(320, 240);
        return jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
      },
    },
  ])("refuses $case with 415, listing the accepted types", async ({ input }) => {
    const problem = await problemOf(toGrayscale(await input()));
    expect(problem.status).toBe(415);
    expect(problem.type).toBe("https://coffee-edge.dev/problems/unsupported-media-type");
    expect(problem.extensions.accepted).toEqual(["image/jpeg", "image/png", "image/webp"]);
  });

  it("keeps libvips away from every other format's loader, even for sharp called directly", async () => {
    const tiff = await sharp({ create: { width: 8, height: 8, channels: 3, background: "red" } })
      .tiff()
      .toBuffer();
    await expect(sharp(tiff).metadata()).rejects.toThrow();
    await expect(sharp(await solidImage("png")).metadata()).resolves.toMatchObject({ format: "png" });
  });
});
