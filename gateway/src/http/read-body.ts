import type { IncomingMessage } from "node:http";

/** A body over the limit: the caller answers 413 (the rest of the body is not read). */
export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
  constructor(readonly limit: number) {
    super(`the body is larger than ${limit} bytes`);
  }
}

/** Reads a whole request body, refusing early (by Content-Length) or as soon as it passes `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** A JSON object body, or a message saying what is wrong with it (for a 400). */
export async function readJsonObject(
  req: IncomingMessage,
  limit: number,
): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; detail: string }> {
  const body = await readBody(req, limit);
  let value: unknown;
  // A byte-order mark is kept, so it fails the parse: Go's encoding/json, which OpenFaaS clients expect, refuses it.
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body));
  } catch (error) {
    return { ok: false, detail: `the body is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, detail: "the body must be a JSON object" };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
