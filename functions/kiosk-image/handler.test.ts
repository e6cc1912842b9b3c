import { startTestServer, type TestServer } from "@coffee-edge/node18-typescript/testing";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import defaultHandler, { createHandler } from "./handler.js";
import { claimedSizePng, photoLikeJpeg, solidImage } from "./test-images.js";

const SHELL_ENV = { RAW_BODY: "true", MAX_RAW_SIZE: "10mb" };

function post(server: TestServer, body: Buffer | string, query = "", contentType = "image/jpeg"): Promise<Response> {
  return fetch(`${server.url}/${query}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body,
    signal: AbortSignal.timeout(50_000),
  });
}

async function problem(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as Record<string, unknown>;
}

async function imageOf(res: Response): Promise<sharp.Metadata> {
  return sharp(Buffer.from(await res.arrayBuffer())).metadata();
}

describe("kiosk-image over HTTP (RAW_BODY=true)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(createHandler({ config: loadConfig({}) }), { env: SHELL_ENV });
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers a colour JPEG with a grayscale JPEG of the same size", async () => {
    const res = await post(server, await solidImage("jpeg", { width: 120, height: 80 }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await imageOf(res)).toMatchObject({ format: "jpeg", channels: 1, space: "b-w", width: 120, height: 80 });
  });

  it("reads the format from the bytes, not from the declared content type", async () => {
    const res = await post(server, await solidImage("webp"), "", "application/octet-stream");
    expect(res.status).toBe(200);
    expect(await imageOf(res)).toMatchObject({ format: "jpeg", channels: 1 });
  });

  it("answers ?format=png with a grayscale PNG", async () => {
    const res = await post(server, await solidImage("png"), "?format=png", "image/png");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(await imageOf(res)).toMatchObject({ format: "png", channels: 1, space: "b-w" });
  });

  it("resizes to ?width= keeping the aspect ratio", async () => {
    const res = await post(server, await solidImage("jpeg", { width: 640, height: 480 }), "?width=320&format=jpeg");
    expect(res.status).toBe(200);
    expect(await imageOf(res)).toMatchObject({ width: 320, height: 240 });
  });

  it.each(["?width=0", "?width=5000", "?width=abc", "?width=", "?format=gif", "?format=png&format=jpeg", "?size=10"])(
    "answers the bad query %s with 400 invalid-query",
    async (query) => {
      const res = await post(server, await solidImage("jpeg"), query);
      expect(res.status).toBe(400);
      expect((await problem(res)).type).toBe("https://coffee-edge.dev/problems/invalid-query");
    },
  );

  it.each([
    { case: "text", body: "hello", type: "text/plain" },
    { case: "the build proof's JSON", body: '{"hello":"world"}', type: "application/json" },
    { case: "an SVG", body: '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>', type: "image/svg+xml" },
    { case: "an empty body", body: "", type: "image/jpeg" },
  ])("answers $case with 415 naming the accepted types", async ({ body, type }) => {
    const res = await post(server, body, "", type);
    expect(res.status).toBe(415);
    expect(res.headers.get("accept-post")).toBe("image/jpeg, image/png, image/webp");
    const body415 = await problem(res);
    expect(body415.type).toBe("https://coffee-edge.dev/problems/unsupported-media-type");
    expect(body415.accepted).toEqual(["image/jpeg", "image/png", "image/webp"]);
  });

  it("answers a GIF with 415", async () => {
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: "red" } })
      .gif()
      .toBuffer();
    const res = await post(server, gif, "", "image/gif");
    expect(res.status).toBe(415);
    expect((await problem(res)).detail).toBe("The body is not a JPEG, PNG or WebP image.");
  });

  it("answers a tiny PNG claiming 60000 × 60000 pixels with 413 too-many-pixels", async () => {
    const res = await post(server, claimedSizePng(60_000, 60_000), "", "image/png");
    expect(res.status).toBe(413);
    const body = await problem(res);
    expect(body).toMatchObject({
      type: "https://coffee-edge.dev/problems/too-many-pixels",
      width: 60_000,
      height: 60_000,
      maxPixels: 50_000_000,
    });
  });

  it("answers other methods with 405 and Allow: POST", async () => {
    const res = await fetch(server.url, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    await problem(res);
  });
});

describe("kiosk-image limits", () => {
  it("answers a body over MAX_RAW_SIZE with the shell's 413 before the handler runs", async () => {
    const server = await startTestServer(createHandler({ config: loadConfig({}) }), {
      env: { RAW_BODY: "true", MAX_RAW_SIZE: "1kb" },
    });
    try {
      const image = await photoLikeJpeg(200, 200);
      expect(image.length).toBeGreaterThan(1024);
      const res = await post(server, image);
      expect(res.status).toBe(413);
      expect((await problem(res)).type).toBe("https://coffee-edge.dev/problems/payload-too-large");
      // An image under the limit still converts.
      const small = await solidImage("png", { width: 8, height: 8 });
      expect(small.length).toBeLessThan(1024);
      expect((await post(server, small)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("applies MAX_INPUT_PIXELS", async () => {
    const server = await startTestServer(createHandler({ config: loadConfig({ MAX_INPUT_PIXELS: "10000" }) }), {
      env: SHELL_ENV,
    });
    try {
      const tooBig = await post(server, await solidImage("jpeg", { width: 101, height: 100 }));
      expect(tooBig.status).toBe(413);
      expect(await problem(tooBig)).toMatchObject({ pixels: 10_100, maxPixels: 10_000 });
      expect((await post(server, await solidImage("jpeg", { width: 100, height: 100 }))).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("checks the query before touching the image, and passes the pixel limit to the transform", async () => {
    const calls: Array<{ bytes: number; options: object }> = [];
    const server = await startTestServer(
      createHandler({
        config: loadConfig({ MAX_INPUT_PIXELS: "123456" }),
        transform: async (input, options) => {
          calls.push({ bytes: input.length, options });
          return { data: Buffer.from("png"), format: "png" };
        },
      }),
      { env: SHELL_ENV },
    );
    try {
      expect((await post(server, "anything", "?width=big")).status).toBe(400);
      expect(calls).toEqual([]);
      const res = await post(server, "12345", "?width=10&format=png");
      expect(res.headers.get("content-type")).toBe("image/png");
      expect(calls).toEqual([{ bytes: 5, options: { format: "png", width: 10, maxInputPixels: 123_456 } }]);
    } finally {
      await server.close();
    }
  });

  it("answers JSON with 415 even when RAW_BODY is not set", async () => {
    const server = await startTestServer(defaultHandler);
    try {
      const res = await post(server, '{"hello":"world"}', "", "application/json");
      expect(res.status).toBe(415);
      await problem(res);
    } finally {
      await server.close();
    }
  });
});

describe("a 12-megapixel camera frame end to end", () => {
  let server: TestServer;
  let frame: Buffer;
  // Generous bounds: the image build runs these tests too, possibly on a small ARM store box.
  beforeAll(async () => {
    frame = await photoLikeJpeg(4000, 3000);
    server = await startTestServer(defaultHandler, { env: SHELL_ENV });
  }, 60_000);
  afterAll(async () => {
    await server.close();
  });

  it("is a realistic frame: megabytes, under the 10mb body limit", () => {
    expect(frame.length).toBeGreaterThan(1_000_000);
    expect(frame.length).toBeLessThan(10 * 1024 * 1024);
  });

  it("converts at full size", { timeout: 60_000 }, async () => {
    const res = await post(server, frame);
    expect(res.status).toBe(200);
    expect(await imageOf(res)).toMatchObject({ format: "jpeg", channels: 1, width: 4000, height: 3000 });
  });

  it("converts and shrinks to ?width=1024", { timeout: 60_000 }, async () => {
    const res = await post(server, frame, "?width=1024&format=png");
    expect(res.status).toBe(200);
    expect(await imageOf(res)).toMatchObject({ format: "png", channels: 1, width: 1024, height: 768 });
  });
});
