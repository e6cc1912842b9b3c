import type { ServerResponse } from "node:http";
import { PROBLEM_CONTENT_TYPE, type ProblemBody } from "./problem.js";
import type { HeaderValues } from "./types.js";

/**
 * Writes a successful answer. Without a handler-set `content-type`: Buffers go out as
 * `application/octet-stream`, strings as `text/plain; charset=utf-8`, `undefined` as an empty body,
 * anything else as `application/json` (node18 sent objects as text/html; that is fixed on purpose).
 * Throws if the value cannot be serialised (a cycle, a BigInt): the caller answers 500 instead.
 */
export function writeSuccess(res: ServerResponse, status: number, headers: HeaderValues, value: unknown): void {
  const contentType = findHeader(headers, "content-type");
  const { bytes, defaultType } = encode(value);
  applyHeaders(res, headers);
  if (contentType === undefined && defaultType !== undefined) res.setHeader("content-type", defaultType);
  finish(res, status, bytes);
}

/** Writes an `application/problem+json` answer; the handler's own headers survive, but for the content type. */
export function writeProblem(res: ServerResponse, problem: ProblemBody, headers: HeaderValues = {}): void {
  applyHeaders(res, headers);
  res.setHeader("content-type", PROBLEM_CONTENT_TYPE);
  finish(res, problem.status, JSON.stringify(problem));
}

/** Text stays a string: Node then sends headers and body as one chunk instead of two. */
type Payload = Buffer | string | undefined;

function encode(value: unknown): { bytes: Payload; defaultType: string | undefined } {
  if (value === undefined) return { bytes: undefined, defaultType: undefined };
  if (Buffer.isBuffer(value)) return { bytes: value, defaultType: "application/octet-stream" };
  if (value instanceof Uint8Array) {
    const view = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { bytes: view, defaultType: "application/octet-stream" };
  }
  if (typeof value === "string") return { bytes: value, defaultType: "text/plain; charset=utf-8" };
  const json = JSON.stringify(value);
  // JSON.stringify answers undefined for functions and symbols: there is nothing to send.
  if (json === undefined) return { bytes: undefined, defaultType: undefined };
  return { bytes: json, defaultType: "application/json" };
}

function applyHeaders(res: ServerResponse, headers: HeaderValues): void {
  for (const [name, value] of Object.entries(headers)) {
    try {
      res.setHeader(name, typeof value === "number" ? String(value) : (value as string | string[]));
    } catch {
      // An invalid header name or value from the handler is dropped rather than crashing the answer.
    }
  }
}

function findHeader(headers: HeaderValues, name: string): HeaderValues[string] | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

function finish(res: ServerResponse, status: number, bytes: Payload): void {
  res.statusCode = status;
  // 204 and 304 carry no body and, by RFC 9110, no Content-Length either.
  if (status === 204 || status === 304) {
    res.end();
    return;
  }
  if (bytes === undefined) {
    res.setHeader("content-length", 0);
    res.end();
    return;
  }
  res.setHeader("content-length", typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.length);
  res.end(bytes);
}
