import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AcceptedCall } from "../async/accepted-call.js";
import type { LogBook } from "../logs/log-book.js";
import { handleLogs } from "../logs/logs-route.js";
import type { GatewayMetrics } from "../observe/metrics.js";
import type { FunctionRuntime } from "../runtime/function-runtime.js";
import { NAMESPACE } from "../runtime/function-spec.js";
import type { SecretFolder } from "../secrets/secret-folder.js";
import { handleSecrets } from "../secrets/secrets-route.js";
import { handleAlertHook } from "../ui/alert-hook.js";
import { handleUi, type UiDeps } from "../ui/ui-route.js";
import { handleAsync } from "./async-route.js";
import { type Credentials, checkBasicAuth } from "./basic-auth.js";
import { handleInvoke } from "./invoke-route.js";
import { sendProblem } from "./problem.js";
import { sendJson } from "./send-json.js";
import { handleFunction, handleFunctions, handleScale, methodNotAllowed } from "./system-functions.js";

export interface GatewayServerDeps {
  readonly runtime: FunctionRuntime;
  readonly metrics: GatewayMetrics;
  readonly credentials: Credentials;
  readonly queue: { accept(call: AcceptedCall): Promise<void> };
  readonly wakeWorker: () => void;
  readonly logs: LogBook;
  readonly secrets: SecretFolder;
  readonly maxAsyncBodyBytes: number;
  readonly downWindowDefaultMs: number;
  readonly version: string;
  /** The dashboard at /ui/ and the alert webhook it listens to. */
  readonly ui: UiDeps;
  readonly warn: (message: string) => void;
  /** Reports a request that failed in a way no route answered (a bug): logged, answered 500. */
  readonly onError: (error: unknown) => void;
}

export interface GatewayServer {
  readonly server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting connections and waits (up to graceMs) for the requests in flight, then cuts the rest. */
  close(graceMs: number): Promise<void>;
}

/** gorilla/mux's name pattern in the OpenFaaS gateway. */
const NAME = "[-a-zA-Z_0-9.]+";
const FUNCTION_ROUTE = new RegExp(`^/function/(${NAME})(/.*)?$`);
const ASYNC_ROUTE = new RegExp(`^/async-function/(${NAME})(/.*)?$`);
const SYSTEM_FUNCTION_ROUTE = new RegExp(`^/system/function/(${NAME})$`);
const SCALE_ROUTE = new RegExp(`^/system/scale-function/(${NAME})$`);

/** The OpenFaaS gateway's HTTP API on one port (openfaas-contract §3), built without listening. */
export function createGatewayServer(deps: GatewayServerDeps): GatewayServer {
  const servedBy = `coffee-edge/${deps.version}`;
  const systemDeps = {
    runtime: deps.runtime,
    metrics: deps.metrics,
    downWindowDefaultMs: deps.downWindowDefaultMs,
    warn: deps.warn,
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? "/";
    const queryAt = raw.indexOf("?");
    const path = queryAt < 0 ? raw : raw.slice(0, queryAt);
    const query = queryAt < 0 ? "" : raw.slice(queryAt + 1);

    let match = FUNCTION_ROUTE.exec(path);
    if (match) {
      const forwardPath = `${match[2] ?? "/"}${queryAt < 0 ? "" : `?${query}`}`;
      return handleInvoke(
        { runtime: deps.runtime, metrics: deps.metrics, servedBy },
        req,
        res,
        match[1] as string,
        forwardPath,
      );
    }
    match = ASYNC_ROUTE.exec(path);
    if (match) {
      return handleAsync(
        {
          runtime: deps.runtime,
          metrics: deps.metrics,
          queue: deps.queue,
          wake: deps.wakeWorker,
          maxBodyBytes: deps.maxAsyncBodyBytes,
          servedBy,
        },
        req,
        res,
        match[1] as string,
        match[2] ?? "",
        query,
      );
    }
    if (path === "/healthz") {
      if (req.method !== "GET" && req.method !== "HEAD") return methodNotAllowed(res, "GET");
      res.writeHead(200, { "Content-Type": "text/plain" }).end("OK");
      return;
    }
    if (path === "/metrics") {
      if (req.method !== "GET") return methodNotAllowed(res, "GET");
      const text = await deps.metrics.render();
      res.writeHead(200, { "Content-Type": deps.metrics.contentType }).end(text);
      return;
    }
    if (path === "/ui" || path.startsWith("/ui/")) {
      // The dashboard is behind the same basic auth as /system/, as OpenFaaS protects its portal.
      if (!checkBasicAuth(deps.credentials, req, res)) return;
      return handleUi(deps.ui, req, res, path, new URL(raw, "http://gateway"));
    }
    if (path === "/hooks/alerts") return handleAlertHook(deps.ui.feed, req, res);
    if (path.startsWith("/system/")) {
      if (!checkBasicAuth(deps.credentials, req, res)) return;
      return routeSystem(req, res, path, new URL(raw, "http://gateway"));
    }
    sendProblem(res, 404, { type: "not-found", detail: `no route for ${path}` });
  }

  async function routeSystem(req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> {
    if (path === "/system/functions") return handleFunctions(systemDeps, req, res, url);
    let match = SYSTEM_FUNCTION_ROUTE.exec(path);
    if (match) return handleFunction(systemDeps, req, res, match[1] as string);
    match = SCALE_ROUTE.exec(path);
    if (match) return handleScale(systemDeps, req, res, match[1] as string);
    switch (path) {
      case "/system/namespaces":
        if (req.method !== "GET") return methodNotAllowed(res, "GET");
        return sendJson(res, 200, [NAMESPACE]);
      case "/system/info":
        if (req.method !== "GET") return methodNotAllowed(res, "GET");
        return sendJson(res, 200, systemInfo(deps.version));
      case "/system/secrets":
        return handleSecrets(deps.secrets, req, res);
      case "/system/logs":
        return handleLogs(deps.logs, (name) => deps.runtime.get(name) !== undefined, req, res, url);
      default:
        sendProblem(res, 404, { type: "not-found", detail: `no route for ${path}` });
    }
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      deps.onError(error);
      sendProblem(res, 500, {
        type: "internal-error",
        detail: "the gateway failed to answer this request; see its log",
      });
    });
  });
  // Requests in flight may run as long as a function's exec_timeout; the defaults would cut a long one.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** `/system/info` in the gateway's shape; `orchestration` says this is the one-machine runtime. */
function systemInfo(version: string): Record<string, unknown> {
  const release = { sha: "", release: version };
  return {
    provider: { provider: "coffee-edge", orchestration: "local", version: release },
    version: { ...release, commit_message: "" },
    arch: process.arch === "x64" ? "x86_64" : process.arch,
  };
}
