import http, { validateHeaderName, validateHeaderValue } from "node:http";
import https from "node:https";
import { HOP_BY_HOP } from "../http/headers.js";
import type { AcceptedCall, InvokeResult } from "./accepted-call.js";

/** Headers that describe one connection or one message framing, not the function's answer. */
const CONNECTION_HEADERS = new Set([...HOP_BY_HOP, "content-length", "host"]);

const GATEWAY_HEADERS = ["X-Call-Id", "X-Function-Name", "X-Function-Status", "X-Duration-Seconds"] as const;
const GATEWAY_HEADER_NAMES = new Set(GATEWAY_HEADERS.map((name) => name.toLowerCase()));

/**
 * The callback's headers, as the OpenFaaS queue-worker sends them: the function's response headers without the
 * connection-level ones, then the gateway's X-Call-Id, X-Function-Name, X-Function-Status and X-Duration-Seconds
 * (seconds with 6 decimals, as Go's %f prints them), which replace any the function set itself.
 */
export function callbackHeaders(call: AcceptedCall, result: InvokeResult): Array<readonly [string, string]> {
  const namedByConnection = new Set(
    result.headers
      .filter(([name]) => name.toLowerCase() === "connection")
      .flatMap(([, value]) => value.split(","))
      .map((token) => token.trim().toLowerCase()),
  );
  const kept = result.headers.filter(([name, value]) => {
    const lower = name.toLowerCase();
    if (CONNECTION_HEADERS.has(lower) || namedByConnection.has(lower) || GATEWAY_HEADER_NAMES.has(lower)) return false;
    return isValidHeader(name, value);
  });
  return [
    ...kept,
    ["X-Call-Id", call.callId],
    ["X-Function-Name", call.functionName],
    ["X-Function-Status", String(result.status)],
    ["X-Duration-Seconds", result.durationSeconds.toFixed(6)],
  ];
}

function isValidHeader(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

export type CallbackOutcome =
  | { readonly kind: "answered"; readonly status: number; readonly headers: Array<readonly [string, string]> }
  | { readonly kind: "unreachable"; readonly error: string };

export interface CallbackAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

export interface CallbackRequest {
  readonly url: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  /** Bounds the whole exchange, from connecting to the end of the answer. */
  readonly timeoutMs: number;
  readonly agents: CallbackAgents;
  /** Aborts the request when the worker gives up on its running jobs. */
  readonly signal: AbortSignal;
}

/** POSTs a callback. Never rejects: a refused connection, a reset or a timeout is an "unreachable" outcome. */
export function postCallback(request: CallbackRequest): Promise<CallbackOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (outcome: CallbackOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const unreachable = (error: unknown): void =>
      settle({ kind: "unreachable", error: error instanceof Error ? error.message : String(error) });

    let url: URL;
    try {
      url = new URL(request.url);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`${url.protocol} is not http(s)`);
    } catch (error) {
      unreachable(error);
      return;
    }
    const client = url.protocol === "https:" ? https : http;
    const agent = url.protocol === "https:" ? request.agents.https : request.agents.http;
    const req = client.request(url, { method: "POST", agent, signal: request.signal });
    timer = setTimeout(() => req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)), request.timeoutMs);
    for (const [name, values] of groupByName(request.headers)) req.setHeader(name, values);
    req.setHeader("Content-Length", request.body.length);
    req.on("error", unreachable);
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      const headers = pairs(res.rawHeaders);
      res.on("error", unreachable);
      res.on("end", () => settle({ kind: "answered", status, headers }));
      res.on("close", () => {
        if (!res.complete) unreachable(new Error("the answer was cut off"));
      });
      // The receiver's body is not needed; reading it lets the connection be reused.
      res.resume();
    });
    req.end(request.body);
  });
}

/** Same-named headers (Set-Cookie, Vary, ...) go out as one setHeader call each, so none is lost. */
function groupByName(headers: ReadonlyArray<readonly [string, string]>): Map<string, string[]> {
  const byLowerName = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of headers) {
    const entry = byLowerName.get(name.toLowerCase());
    if (entry) entry.values.push(value);
    else byLowerName.set(name.toLowerCase(), { name, values: [value] });
  }
  return new Map([...byLowerName.values()].map((entry) => [entry.name, entry.values]));
}

function pairs(rawHeaders: string[]): Array<readonly [string, string]> {
  const result: Array<readonly [string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    result.push([rawHeaders[i] ?? "", rawHeaders[i + 1] ?? ""]);
  }
  return result;
}
