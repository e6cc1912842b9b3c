import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/**
 * `GET /healthz` (200 `OK` when `ready()` says so, else 503 with the reason) and `GET /metrics` (Prometheus
 * text): what a Kubernetes probe and a Prometheus scrape need of a connector.
 */
export function startHealthServer(
  port: number,
  host: string,
  ready: () => string | undefined,
  registry: Registry,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET" }).end();
      return;
    }
    if (path === "/healthz") {
      const problem = ready();
      res.writeHead(problem ? 503 : 200, { "Content-Type": "text/plain" }).end(problem ? `${problem}\n` : "OK");
      return;
    }
    if (path === "/metrics") {
      registry.metrics().then(
        (text) => res.writeHead(200, { "Content-Type": registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404, { "Content-Type": "text/plain" }).end("404 page not found\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
