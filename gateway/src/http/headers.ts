import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/** Hop-by-hop headers (RFC 9110 §7.6.1): they belong to one connection and are never forwarded. */
export const HOP_BY_HOP = new Set([
  "connection",
  "proxy-connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** The headers to pass on: all but the hop-by-hop ones and those the `Connection` header names. */
export function forwardableHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  // Most requests carry no Connection header (HTTP/1.1 keeps alive by default): no set to build then.
  const connection = headers.connection;
  const named =
    connection === undefined
      ? undefined
      : new Set(
          String(connection)
            .split(",")
            .map((name) => name.trim().toLowerCase()),
        );
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || named?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** The first value of a request header, or undefined. */
export function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `X-Start-Time`: the Unix time in nanoseconds, as the OpenFaaS gateway writes it (Go's `UnixNano`). */
export function unixNanos(ms: number = Date.now()): string {
  return `${BigInt(Math.floor(ms)) * 1_000_000n}`;
}

/** `X-Duration-Seconds`: seconds with six decimals, as Go's `%f` writes them. */
export function durationSeconds(ms: number): string {
  return (ms / 1000).toFixed(6);
}
