import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { PROBLEM_CONTENT_TYPE, type ProblemBody } from "./problem.js";
import type { HeaderValues } from "./types.js";

const NO_HEADERS: HeaderValues = {};

/**
 * Writes a successful answer. Without a handler-set `content-type`: Buffers go out as
 * `application/octet-stream`, strings as `text/plain; charset=utf-8`, `undefined` as an empty body,
 * anything else as `application/json` (node18 sent objects as text/html; that is fixed on purpose).
 * Throws if the value cannot be serialised (a cycle, a BigInt): the caller answers 500 instead.
 */
export function writeSuccess(res: ServerResponse, status: number, headers: HeaderValues, value: unknown): void {
  const { bytes, defaultType } = encode(value);
  const contentType = hasHeader(headers, "content-type") ? undefined : defaultType;
  applyHeaders(res, headers);
  finish(res, status, bytes, contentType);
}

/** Writes an `application/problem+json` answer; the handler's own headers survive, but for the content type. */
export function writeProblem(res: ServerResponse, problem: ProblemBody, headers: HeaderValues = NO_HEADERS): void {
  applyHeaders(res, headers);
  finish(res, problem.status, JSON.stringify(problem), PROBLEM_CONTENT_TYPE);
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
  for (const name of Object.keys(headers)) {
    const value = headers[name] as HeaderValues[string];
    try {
      res.setHeader(name, typeof value === "number" ? String(value) : (value as string | string[]));
    } catch {
      // An invalid header name or value from the handler is dropped rather than crashing the answer.
    }
  }
}

function hasHeader(headers: HeaderValues, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/**
 * Sends the status line, the shell's own headers and the body. The shell's headers go to `writeHead` rather
 * than one `setHeader` each: Node then serialises them straight away, without first building its per-response
 * header map (it still merges them over any the handler set, which they override).
 */
function finish(res: ServerResponse, status: number, bytes: Payload, contentType: string | undefined): void {
  // 204 and 304 carry no body and, by RFC 9110, no Content-Length either.
  if (status === 204 || status === 304) {
    res.writeHead(status, contentType === undefined ? undefined : { "content-type": contentType });
    res.end();
    return;
  }
  const length = bytes === undefined ? 0 : typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.length;
  const headers: OutgoingHttpHeaders =
    contentType === undefined
      ? { "content-length": length }
      : { "content-type": contentType, "content-length": length };
  res.writeHead(status, headers);
  res.end(bytes);
}
