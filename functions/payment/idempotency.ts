import { createHash } from "node:crypto";
import type { FunctionEvent } from "@coffee-edge/node18-typescript";
import { invalidIdempotencyKey } from "./problems.js";

/** RFC 9110 field values are visible ASCII and spaces; bounded so a key stays a sane primary key. */
const KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;

/**
 * The request's idempotency key: the `Idempotency-Key` header when sent (a bad one is a 400, never ignored:
 * a client that sends a key relies on it), else the order id, so a till that retries an order without a key
 * still cannot charge it twice. Keys are global across callers, as order ids are.
 */
export function idempotencyKeyOf(event: Pick<FunctionEvent, "headers">, orderId: string): string {
  const raw = event.headers["idempotency-key"];
  if (raw === undefined) return orderId;
  const key = Array.isArray(raw) ? raw.join(", ") : raw;
  if (!KEY_PATTERN.test(key)) throw invalidIdempotencyKey();
  return key;
}

/**
 * SHA-256 of the request as it matters for "the same request": method, path and body, with object members
 * in sorted order, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request and whitespace never counts.
 */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash("sha256")
    .update(canonicalJson([method, path, body]))
    .digest("hex");
}

/** JSON with object members sorted by name, at every depth. Only for validated (bounded) values. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonicalJson(record[name])}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
