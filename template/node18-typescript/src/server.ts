import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { GENERIC_DETAIL, problemFromFailure } from "./answer-problem.js";
import { absentBody, hasBody, readEventBody } from "./body.js";
import type { ShellConfig } from "./config.js";
import type { Answer } from "./context.js";
import { createLogger, describeError, type Logger } from "./log.js";
import { type ProblemBody, ProblemError, reasonPhrase } from "./problem.js";
import { parseQueryString } from "./query.js";
import { writeProblem, writeSuccess } from "./respond.js";
import { runHandler } from "./run-handler.js";
import { startRequestSpan } from "./tracing.js";
import type { FunctionEvent, Handler, HeaderValues } from "./types.js";

export interface ShellDependencies {
  logger?: Logger;
}

/** The runtime shell: an HTTP server for one handler, built without listening (tests and main listen). */
export interface Shell {
  readonly server: Server;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Stops accepting connections, lets requests in flight finish with their answers, and closes idle
   * keep-alive connections. Resolves "drained", or "forced" if `graceMs` passed and connections were cut.
   */
  close(graceMs: number): Promise<"drained" | "forced">;
}

export function createShell(handler: Handler, config: ShellConfig, deps: ShellDependencies = {}): Shell {
  const logger = deps.logger ?? createLogger();
  const pending = new Set<ServerResponse>();
  let draining = false;

  const server = createServer((req, res) => {
    pending.add(res);
    if (draining) res.setHeader("connection", "close");
    void handleRequest(req, res);
  });

  /** Answers one request, then (whatever happened) releases it for the drain, ends its span and logs it. */
  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const { path, query } = splitUrl(req.url ?? "/");
    const span = startRequestSpan(req, path);
    const callId = validCallId(req.headers["x-call-id"]);
    let headers: HeaderValues = {};
    try {
      // Most requests (GETs) carry no body: take its value at once rather than wait a turn for it.
      const body = hasBody(req) ? await readEventBody(req, config) : absentBody(req, config);
      const event: FunctionEvent = { body, headers: req.headers, method: req.method ?? "GET", query, path };
      const { answer, context } = await span.run(() => runHandler(handler, event, reportIgnored(callId)));
      headers = context.headers();
      if (answer.kind === "success") {
        writeSuccess(res, context.status(), headers, answer.value);
        return;
      }
      const problem = problemFromFailure(answer.value, context.status(), answer.origin);
      if (problem.status >= 500)
        logger.error("the handler failed", { callId, status: problem.status, ...describeError(answer.value) });
      const own = answer.value instanceof ProblemError ? answer.value.headers : undefined;
      writeProblem(res, problem, own ? { ...headers, ...own } : headers);
    } catch (error) {
      answerRefusal(req, res, error, headers, callId);
    } finally {
      pending.delete(res);
      if (draining) server.closeIdleConnections();
      span.end(res.statusCode);
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      logger.info("request completed", { method: req.method, path, status: res.statusCode, durationMs, callId });
    }
  }

  /**
   * Answers bodies we refused (400, 413) and answers that could not be serialised. Should even that fail,
   * the client still gets a plain 500, or the connection is cut if the headers are already out.
   */
  function answerRefusal(
    req: IncomingMessage,
    res: ServerResponse,
    error: unknown,
    headers: HeaderValues,
    callId: string | undefined,
  ): void {
    try {
      if (!req.complete) res.setHeader("connection", "close");
      if (!(error instanceof ProblemError))
        logger.error("the answer could not be sent", { callId, ...describeError(error) });
      writeProblem(res, error instanceof ProblemError ? error.toBody() : internalProblem(), headers);
    } catch (failure) {
      logger.error("answer failed", { callId, ...describeError(failure) });
      if (!res.headersSent) writeProblem(res, internalProblem());
      else res.destroy();
    }
  }

  function reportIgnored(callId: string | undefined): (ignored: Answer) => void {
    return (ignored) =>
      logger.warn("the handler answered more than once; the later answer is ignored", {
        callId,
        ignored: ignored.kind,
      });
  }

  return {
    server,
    listen(port, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close(graceMs) {
      draining = true;
      for (const res of pending) if (!res.headersSent) res.setHeader("connection", "close");
      return new Promise((resolve) => {
        const deadline = setTimeout(() => {
          server.closeAllConnections();
          resolve("forced");
        }, graceMs);
        server.close(() => {
          clearTimeout(deadline);
          resolve("drained");
        });
        server.closeIdleConnections();
      });
    },
  };
}

function splitUrl(url: string): { path: string; query: FunctionEvent["query"] } {
  const mark = url.indexOf("?");
  if (mark === -1) return { path: url, query: {} };
  return { path: url.slice(0, mark), query: parseQueryString(url.slice(mark + 1)) };
}

/** Accepts an inbound call id only if it is a plausible id (≤ 255 word characters), so logs stay clean. */
function validCallId(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" && /^[\w\-=.:]{1,255}$/.test(value) ? value : undefined;
}

function internalProblem(): ProblemBody {
  return { type: "about:blank", title: reasonPhrase(500), status: 500, detail: GENERIC_DETAIL };
}
