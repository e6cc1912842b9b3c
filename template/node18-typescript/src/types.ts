import type { IncomingHttpHeaders } from "node:http";

/** Query string values as OpenFaaS's node18 template exposes them: repeated keys become arrays. */
export type QueryValue = string | string[];

/**
 * What a handler receives: the same fields as OpenFaaS's node18 `FunctionEvent`.
 *
 * `body` depends on the request (see README "Request bodies"):
 * - JSON content types (`application/json`, `application/*+json`) → the parsed value;
 * - `text/*` → a string; `application/x-www-form-urlencoded` → an object of strings;
 * - any other content type, or every request when `RAW_BODY=true` → a `Buffer`;
 * - no body at all → `undefined` (a `Buffer` of length 0 when `RAW_BODY=true`).
 */
export interface FunctionEvent<TBody = unknown> {
  readonly body: TBody;
  /** Request headers, names lower-cased (Node's own representation). */
  readonly headers: IncomingHttpHeaders;
  /** The HTTP method, upper-case: GET, POST, PUT, PATCH, DELETE, OPTIONS or HEAD. */
  readonly method: string;
  readonly query: Readonly<Record<string, QueryValue>>;
  /** The request path without the query string, e.g. `/orders/42`. */
  readonly path: string;
}

/** Header values a handler may set; arrays become repeated headers. */
export type HeaderValues = Record<string, string | number | readonly string[]>;

/**
 * The fluent reply object of OpenFaaS's node18 template. Setters chain; a handler answers
 * once, by `succeed`, `fail`, returning a value, or throwing. Later answers are ignored and logged.
 */
export interface FunctionContext {
  /** Sets the status code of the answer and returns the context. */
  status(code: number): FunctionContext;
  /** Returns the status code set so far (200 by default). */
  status(): number;
  /** Replaces the headers of the answer (they also go out with an error) and returns the context. */
  headers(values: HeaderValues): FunctionContext;
  /** Returns the headers set so far. */
  headers(): HeaderValues;
  /** Answers with `value`: objects as JSON, strings as text, Buffers as bytes, unless `content-type` was set. */
  succeed(value?: unknown): void;
  /**
   * Answers with an `application/problem+json` error: the status set before (500 when none, or one below 400).
   * A string becomes the `detail`; a plain object's problem fields (`type`, `title`, `detail`, …) are used as given;
   * an `Error` is treated like a thrown one.
   */
  fail(value?: unknown): void;
}

/** A function handler, as `export default` of `handler.ts`. Returning a value equals `context.succeed(value)`. */
export type Handler<TBody = unknown> = (event: FunctionEvent<TBody>, context: FunctionContext) => unknown;
