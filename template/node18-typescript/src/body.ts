import type { IncomingMessage } from "node:http";
import type { ShellConfig } from "./config.js";
import { ProblemError, problemType } from "./problem.js";
import { parseQueryString } from "./query.js";

const EMPTY = Buffer.alloc(0);

/** How a request body reaches the handler, chosen from RAW_BODY and the content type. */
type BodyKind = "json" | "text" | "form" | "bytes";

/** A request without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3): there is nothing to read. */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
}

/**
 * `event.body` for a request without a body, known at once (no read, so no wait): an empty Buffer where
 * bytes are expected, else `undefined`, as `readEventBody` gives for an empty body.
 */
export function absentBody(req: IncomingMessage, config: ShellConfig): Buffer | undefined {
  const kind = config.rawBody ? "bytes" : bodyKind(parseMediaType(req.headers["content-type"]).type);
  return kind === "bytes" ? EMPTY : undefined;
}

/**
 * Reads and decodes the request body for `event.body` (the rules are in types.ts `FunctionEvent`).
 * Throws a `ProblemError`: 413 past `MAX_JSON_SIZE`/`MAX_RAW_SIZE` (checked against Content-Length before
 * reading, and while reading), 400 for malformed JSON. The socket is never left half-read: after a 413 the
 * rest of the body is drained and discarded so the client can read the answer.
 */
export async function readEventBody(req: IncomingMessage, config: ShellConfig): Promise<unknown> {
  const mediaType = parseMediaType(req.headers["content-type"]);
  const kind = config.rawBody ? "bytes" : bodyKind(mediaType.type);
  const limit = kind === "bytes" ? config.maxRawBytes : config.maxJsonBytes;
  const limitName = kind === "bytes" ? "MAX_RAW_SIZE" : "MAX_JSON_SIZE";

  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(req, limit, limitName);

  const bytes = hasBody(req) ? await readLimited(req, limit, limitName) : EMPTY;
  if (kind === "bytes") return bytes;
  if (bytes.length === 0) return undefined;

  switch (kind) {
    case "json":
      return parseJson(bytes);
    case "form":
      return parseQueryString(bytes.toString("utf8"));
    case "text":
      return decodeText(bytes, mediaType.charset);
  }
}

function bodyKind(type: string): BodyKind {
  // A request without a content type is read as text, as OpenFaaS's node18 template does.
  if (type === "" || type.startsWith("text/")) return "text";
  if (type === "application/json" || type.endsWith("+json")) return "json";
  if (type === "application/x-www-form-urlencoded") return "form";
  return "bytes";
}

/** True when a `content-type` header names JSON (`application/json` or `application/*+json`), as the shell parses it. */
export function isJsonMediaType(header: string | undefined): boolean {
  return bodyKind(parseMediaType(header).type) === "json";
}

function parseMediaType(header: string | undefined): { type: string; charset: string | undefined } {
  if (!header) return { type: "", charset: undefined };
  const [type = "", ...params] = header.split(";");
  const charsetParam = params.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith("charset="));
  const charset = charsetParam?.slice("charset=".length).replace(/^"|"$/g, "");
  return { type: type.trim().toLowerCase(), charset };
}

/** Collects the body with plain listeners (an async iterator costs an extra turn per request). */
function readLimited(req: IncomingMessage, limit: number, limitName: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off("data", onData);
      reject(tooLarge(req, limit, limitName));
    };
    req.on("data", onData);
    req.once("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)));
    req.once("error", reject);
    req.once("aborted", () => reject(new Error("the client aborted the request")));
  });
}

function tooLarge(req: IncomingMessage, limit: number, limitName: string): ProblemError {
  // Discard what is still coming instead of buffering it; the answer closes the connection.
  req.resume();
  return new ProblemError(413, {
    type: problemType("payload-too-large"),
    detail: `The request body is larger than ${limit} bytes (${limitName}).`,
  });
}

// JSON is UTF-8 (RFC 8259 §8.1). A lenient decode would turn broken bytes into U+FFFD and let a
// mangled order id through as if the client had sent it; a fatal one refuses the body instead.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function parseJson(bytes: Buffer): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new ProblemError(400, {
      type: problemType("malformed-json"),
      title: "Malformed JSON",
      detail: "The request body is not valid UTF-8.",
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProblemError(400, {
      type: problemType("malformed-json"),
      title: "Malformed JSON",
      detail: `The request body is not valid JSON: ${(error as Error).message}`,
    });
  }
}

function decodeText(bytes: Buffer, charset: string | undefined): string {
  if (!charset) return bytes.toString("utf8");
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    // An unknown charset label: UTF-8 is the safest reading and loses nothing for ASCII.
    return bytes.toString("utf8");
  }
}
