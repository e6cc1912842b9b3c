import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import type { GatewayMetrics } from "../observe/metrics.js";
import { FunctionBusyError, FunctionUnavailableError } from "../runtime/errors.js";
import type { Lease } from "../runtime/function-pool.js";
import type { FunctionRuntime } from "../runtime/function-runtime.js";
import { durationSeconds, firstHeader, forwardableHeaders, unixNanos } from "./headers.js";
import { sendFunctionNotFound, sendProblem } from "./problem.js";
import { ReplicaRelay } from "./replica-relay.js";

/** The methods faas-provider's proxy forwards; anything else is 405 there too. */
const ALLOWED_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]);

export interface InvokeDeps {
  readonly runtime: FunctionRuntime;
  readonly metrics: GatewayMetrics;
  /** `X-Served-By`, e.g. `coffee-edge/0.1.0`. */
  readonly servedBy: string;
}

/**
 * `/function/{name}[/{path}]`: forwards the request to a replica with the path after the name, streaming both
 * ways. Adds `X-Call-Id` (generated when absent), `X-Start-Time`, `X-Served-By`, `X-Forwarded-Host/For` as the
 * OpenFaaS gateway does, and answers as the watchdog would when the function runs past `exec_timeout` (504,
 * empty) or every replica is at `max_inflight` (429, text).
 */
export async function handleInvoke(
  deps: InvokeDeps,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  pathAndQuery: string,
): Promise<void> {
  const pool = deps.runtime.get(name);
  if (!pool) {
    sendFunctionNotFound(res, name);
    return;
  }
  const fn = pool.spec.name;
  if (!ALLOWED_METHODS.has(req.method ?? "")) {
    sendProblem(res, 405, {
      type: "method-not-allowed",
      detail: `functions take ${[...ALLOWED_METHODS].join(", ")}`,
      headers: { Allow: [...ALLOWED_METHODS].join(", ") },
    });
    return;
  }
  const startedMs = Date.now();
  const callId = firstHeader(req.headers, "x-call-id") || randomUUID();
  const startTime = unixNanos(startedMs);
  deps.metrics.started(fn);
  const finish = (status: number) => deps.metrics.completed(fn, status, (Date.now() - startedMs) / 1000);
  const gatewayHeaders = { "X-Call-Id": callId, "X-Start-Time": startTime, "X-Served-By": deps.servedBy };

  let lease: Lease;
  try {
    lease = await pool.acquire();
  } catch (error) {
    if (error instanceof FunctionBusyError) {
      const body = `${error.message}\n`;
      res.writeHead(429, {
        ...gatewayHeaders,
        "Content-Type": "text/plain",
        "Content-Length": Buffer.byteLength(body),
        "X-OpenFaaS-Internal": "faas-middleware",
      });
      res.end(body);
      finish(429);
      return;
    }
    if (error instanceof FunctionUnavailableError) {
      sendProblem(res, 503, {
        type: "function-unavailable",
        detail: error.message,
        headers: { ...gatewayHeaders, "Retry-After": "1" },
      });
      finish(503);
      return;
    }
    throw error;
  }

  const { replica } = lease;
  const headers = forwardableHeaders(req.headers);
  // Node's server has already answered `Expect: 100-continue`; undici refuses to send the header on.
  delete headers.expect;
  headers["x-call-id"] = callId;
  headers["x-start-time"] = startTime;
  headers["x-forwarded-host"] ??= req.headers.host ?? "";
  headers["x-forwarded-for"] ??= `${req.socket.remoteAddress ?? ""}:${req.socket.remotePort ?? ""}`;
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  if (hasBody && req.headers["content-length"] === undefined && req.headers["transfer-encoding"] === undefined) {
    headers["content-length"] = "0";
  }

  const relay = new ReplicaRelay(
    res,
    (_status, answerHeaders) => {
      const out = forwardableHeaders(answerHeaders);
      // faas-provider's proxy: the function's Content-Type, else the request's, else text/plain.
      out["content-type"] ??= req.headers["content-type"] ?? "text/plain";
      out["x-duration-seconds"] = durationSeconds(Date.now() - startedMs);
      return Object.assign(out, gatewayHeaders);
    },
    (outcome) => {
      lease.release();
      if (outcome.kind === "answered") {
        finish(outcome.status);
        return;
      }
      if (outcome.headersSent || res.destroyed) {
        res.destroy();
        finish(outcome.kind === "timed-out" ? 504 : 499);
        return;
      }
      if (outcome.kind === "timed-out") {
        // of-watchdog's exec_timeout answer: 504 with an empty body.
        res.writeHead(504, {
          ...gatewayHeaders,
          "X-Duration-Seconds": durationSeconds(Date.now() - startedMs),
          "X-OpenFaaS-Internal": "of-watchdog",
          "Content-Length": 0,
        });
        res.end();
        finish(504);
        return;
      }
      const code = (outcome.error as NodeJS.ErrnoException).code;
      sendProblem(res, 502, {
        type: "function-unreachable",
        detail: `${fn} (replica ${replica.instance}) could not be reached: ${code ?? outcome.error.message}`,
        headers: gatewayHeaders,
      });
      finish(502);
    },
  );
  const timeoutMs = pool.spec.execTimeoutMs; // 0: no limit, for undici as for the watchdog
  replica.connections.dispatch(
    {
      method: req.method as Dispatcher.HttpMethod,
      path: pathAndQuery,
      headers: headers as Record<string, string | string[]>,
      body: hasBody ? req : null,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    },
    relay,
  );
}
