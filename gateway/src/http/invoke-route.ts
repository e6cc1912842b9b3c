import { randomUUID } from "node:crypto";
import { type IncomingMessage, request, type ServerResponse } from "node:http";
import type { GatewayMetrics } from "../observe/metrics.js";
import { FunctionBusyError, FunctionUnavailableError } from "../runtime/errors.js";
import type { Lease } from "../runtime/function-pool.js";
import type { FunctionRuntime } from "../runtime/function-runtime.js";
import { durationSeconds, firstHeader, forwardableHeaders, unixNanos } from "./headers.js";
import { sendFunctionNotFound, sendProblem } from "./problem.js";

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
  res.setHeader("X-Call-Id", callId);
  res.setHeader("X-Start-Time", startTime);
  res.setHeader("X-Served-By", deps.servedBy);
  deps.metrics.started(fn);
  const finish = (status: number) => deps.metrics.completed(fn, status, (Date.now() - startedMs) / 1000);

  let lease: Lease;
  try {
    lease = await pool.acquire();
  } catch (error) {
    if (error instanceof FunctionBusyError) {
      const body = `${error.message}\n`;
      res.writeHead(429, {
        "Content-Type": "text/plain",
        "Content-Length": Buffer.byteLength(body),
        "X-OpenFaaS-Internal": "faas-middleware",
      });
      res.end(body);
      finish(429);
      return;
    }
    if (error instanceof FunctionUnavailableError) {
      sendProblem(res, 503, { type: "function-unavailable", detail: error.message, headers: { "Retry-After": "1" } });
      finish(503);
      return;
    }
    throw error;
  }

  const { replica } = lease;
  const headers = forwardableHeaders(req.headers);
  headers["x-call-id"] = callId;
  headers["x-start-time"] = startTime;
  headers["x-forwarded-host"] ??= req.headers.host ?? "";
  headers["x-forwarded-for"] ??= `${req.socket.remoteAddress ?? ""}:${req.socket.remotePort ?? ""}`;
  if (
    !req.headers["content-length"] &&
    !req.headers["transfer-encoding"] &&
    req.method !== "GET" &&
    req.method !== "HEAD"
  ) {
    headers["content-length"] = "0";
  }

  let timedOut = false;
  let settled = false;
  const settle = (status: number) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    lease.release();
    finish(status);
  };
  const upstream = request({
    host: "127.0.0.1",
    port: replica.port,
    method: req.method,
    path: pathAndQuery,
    headers,
    agent: replica.agent,
  });
  const timer =
    pool.spec.execTimeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          upstream.destroy(new Error("exec_timeout"));
        }, pool.spec.execTimeoutMs)
      : undefined;

  upstream.on("response", (answer) => {
    const outHeaders = forwardableHeaders(answer.headers);
    // faas-provider's proxy: the function's Content-Type, else the request's, else text/plain.
    outHeaders["content-type"] ??= req.headers["content-type"] ?? "text/plain";
    outHeaders["x-duration-seconds"] = durationSeconds(Date.now() - startedMs);
    res.writeHead(answer.statusCode ?? 502, outHeaders);
    answer.pipe(res);
    answer.once("end", () => settle(answer.statusCode ?? 502));
    answer.once("error", () => {
      res.destroy();
      settle(answer.statusCode ?? 502);
    });
  });
  upstream.on("error", (error) => {
    if (res.headersSent) {
      res.destroy();
      settle(timedOut ? 504 : 502);
      return;
    }
    if (timedOut) {
      // of-watchdog's exec_timeout answer: 504 with an empty body.
      res.writeHead(504, {
        "X-Duration-Seconds": durationSeconds(Date.now() - startedMs),
        "X-OpenFaaS-Internal": "of-watchdog",
        "Content-Length": 0,
      });
      res.end();
      settle(504);
      return;
    }
    sendProblem(res, 502, {
      type: "function-unreachable",
      detail: `${fn} (replica ${replica.instance}) could not be reached: ${(error as NodeJS.ErrnoException).code ?? error.message}`,
    });
    settle(502);
  });
  // A caller that goes away takes its upstream request with it.
  res.once("close", () => {
    if (!res.writableFinished) {
      upstream.destroy();
      settle(499);
    }
  });
  req.pipe(upstream);
}
