import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AcceptedCall } from "../async/accepted-call.js";
import type { GatewayMetrics } from "../observe/metrics.js";
import type { FunctionRuntime } from "../runtime/function-runtime.js";
import { firstHeader, unixNanos } from "./headers.js";
import { sendFunctionNotFound, sendProblem } from "./problem.js";
import { BodyTooLargeError, readBody } from "./read-body.js";

export interface AsyncRouteDeps {
  readonly runtime: FunctionRuntime;
  readonly metrics: GatewayMetrics;
  readonly queue: { accept(call: AcceptedCall): Promise<void> };
  /** Tells the worker there is work (it also finds it on its own after a restart). */
  readonly wake: () => void;
  readonly maxBodyBytes: number;
  readonly servedBy: string;
}

/**
 * `POST /async-function/{name}[/{path}]`: the call is committed to the on-disk queue, then answered 202 with
 * `X-Call-Id`. Unlike OpenFaaS CE, an unknown function is 404 at once (rather than a callback saying so later),
 * and a body over the limit is 413 (CE: 500 over 256000 bytes).
 */
export async function handleAsync(
  deps: AsyncRouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  path: string,
  query: string,
): Promise<void> {
  if (req.method !== "POST") {
    sendProblem(res, 405, {
      type: "method-not-allowed",
      detail: "async invocations are POST requests",
      headers: { Allow: "POST" },
    });
    return;
  }
  const pool = deps.runtime.get(name);
  if (!pool) {
    sendFunctionNotFound(res, name);
    return;
  }
  const callbackUrl = firstHeader(req.headers, "x-callback-url");
  if (callbackUrl !== undefined && !isHttpUrl(callbackUrl)) {
    sendProblem(res, 400, {
      type: "invalid-callback-url",
      detail: "X-Callback-Url must be an absolute http:// or https:// URL",
    });
    return;
  }
  let body: Buffer;
  try {
    body = await readBody(req, deps.maxBodyBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    res.setHeader("Connection", "close"); // the rest of the body is not read
    sendProblem(res, 413, {
      type: "body-too-large",
      detail: `an async request body may be at most ${deps.maxBodyBytes} bytes (MAX_ASYNC_BODY_SIZE)`,
    });
    return;
  }
  const acceptedAt = Date.now();
  const callId = firstHeader(req.headers, "x-call-id") || randomUUID();
  const startTime = unixNanos(acceptedAt);
  // The queued headers carry the call id and start time, as OpenFaaS's QueueRequest does.
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string]);
  }
  if (!req.headers["x-call-id"]) headers.push(["X-Call-Id", callId]);
  if (!req.headers["x-start-time"]) headers.push(["X-Start-Time", startTime]);
  try {
    await deps.queue.accept({
      callId,
      functionName: pool.spec.name,
      method: "POST",
      path,
      query,
      headers,
      body,
      ...(callbackUrl ? { callbackUrl } : {}),
      acceptedAt,
    });
  } catch (error) {
    sendProblem(res, 500, {
      type: "queue-unavailable",
      detail: `the call could not be written to the async queue: ${(error as Error).message}`,
    });
    return;
  }
  deps.metrics.asyncAcceptedFor(pool.spec.name);
  deps.wake();
  res.writeHead(202, { "X-Call-Id": callId, "X-Start-Time": startTime, "X-Served-By": deps.servedBy });
  res.end();
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
