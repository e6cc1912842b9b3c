import type { QueryValue } from "./types.js";

/** `a=1&b=2&b=3` → `{ a: "1", b: ["2", "3"] }`: repeated keys become arrays, as in node18's `req.query`. */
export function parseQueryString(text: string): Record<string, QueryValue> {
  const result: Record<string, QueryValue> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = result[key];
    if (existing === undefined) result[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else result[key] = [existing, value];
  }
  return result;
}
