import { mapConcurrently, startTestServer, type TestServer } from "@coffee-edge/node18-typescript/testing";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { createHandler } from "./handler.js";
import { claimedSizePng, photoLikeJpeg } from "./test-images.js";

const CONCURRENCY = 16;

interface BadImage {
  label: string;
  body: Buffer;
  /** The status it must get: 415 for bytes that are no decodable image, 413 for a size bomb. */
  status: 413 | 415;
}

/**
 * Ways a body can fail to be an acceptable image: each accepted format cut short at 40 points between its first
 * byte and 90 % of its data, each with a byte of its signature flipped, deterministic noise, other formats, and
 * PNG headers announcing too many pixels (one past the decoder's own limits).
 */
async function badImages(): Promise<BadImage[]> {
  const photo = await photoLikeJpeg(160, 120);
  const sources = {
    jpeg: photo,
    png: await sharp(photo).png().toBuffer(),
    webp: await sharp(photo).webp().toBuffer(),
  };
  const bad: BadImage[] = [];
  for (const [format, bytes] of Object.entries(sources)) {
    for (let step = 0; step < 40; step++) {
      const length = Math.floor((bytes.length * 0.9 * step) / 40);
      bad.push({ label: `${format} cut after ${length} bytes`, body: bytes.subarray(0, length), status: 415 });
    }
    // The signature: without it no loader recognises the format.
    for (const offset of [0, 1, 2, 3]) {
      const flipped = Buffer.from(bytes);
      flipped[offset] = (flipped[offset] ?? 0) ^ 0xff;
      bad.push({ label: `${format} with byte ${offset} flipped`, body: flipped, status: 415 });
    }
  }
  let seed = 7;
  for (let index = 0; index < 20; index++) {
    const noise = Buffer.alloc(64 + index * 97);
    for (let i = 0; i < noise.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      noise[i] = seed >>> 24;
    }
    bad.push({ label: `${noise.length} bytes of noise`, body: noise, status: 415 });
  }
  const tiny = sharp({ create: { width: 4, height: 4, channels: 3, background: "blue" } });
  for (const format of ["gif", "tiff", "avif", "heif"] as const) {
    const body = await tiny
      .clone()
      .toFormat(format, format === "heif" ? { compression: "av1" } : {})
      .toBuffer();
    bad.push({ label: `a ${format} image`, body, status: 415 });
  }
  bad.push({ label: "a PDF", body: Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"), status: 415 });
  // Under the limit the same lie is a decode error: 415.
  bad.push({ label: "a PNG claiming 1 000 000 × 1", body: claimedSizePng(1_000_000, 1), status: 415 });
  for (const [width, height] of [
    [60_000, 60_000],
    [100_000_000, 1],
    [50_001, 1000],
    [2 ** 31 - 1, 2 ** 31 - 1],
  ] as const) {
    bad.push({ label: `a PNG claiming ${width} × ${height}`, body: claimedSizePng(width, height), status: 413 });
  }
  return bad;
}

describe("kiosk-image under hostile bytes", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(createHandler({ config: loadConfig({}) }), {
      env: { RAW_BODY: "true", MAX_RAW_SIZE: "10mb" },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers each with its 4xx problem, never a 5xx, and keeps converting", { timeout: 60_000 }, async () => {
    const bodies = await badImages();
    expect(bodies.length).toBeGreaterThan(150);
    const answers = await mapConcurrently(bodies, CONCURRENCY, async (bad) => {
      const res = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "image/jpeg" },
        body: bad.body,
        signal: AbortSignal.timeout(15_000),
      });
      await res.arrayBuffer();
      return { label: bad.label, expected: bad.status, status: res.status, type: res.headers.get("content-type") };
    });
    const wrong = answers.filter((a) => a.status !== a.expected || a.type !== "application/problem+json");
    expect(wrong).toEqual([]);

    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "image/jpeg" },
      body: await photoLikeJpeg(64, 48),
      signal: AbortSignal.timeout(15_000),
    });
    expect(res.status).toBe(200);
    expect(await sharp(Buffer.from(await res.arrayBuffer())).metadata()).toMatchObject({ channels: 1, width: 64 });
    expect(server.logs.filter((line) => line.level === "error")).toEqual([]);
  });
});
