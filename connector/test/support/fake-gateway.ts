import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Invocation {
  readonly fn: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly at: number;
}

export interface FakeFunction {
  readonly name: string;
  readonly annotations: Record<string, string>;
}

export interface FakeGateway {
  readonly url: string;
  readonly invocations: Invocation[];
  /** Replaces what /system/functions lists. */
  setFunctions(functions: FakeFunction[]): void;
  /** How the gateway answers a call: status and body (200, `ok` by default). */
  answer: (
    invocation: Invocation,
  ) =>
    | { status: number; body?: string; headers?: Record<string, string> }
    | Promise<{ status: number; body?: string; headers?: Record<string, string> }>;
  close(): Promise<void>;
}

/**
 * An HTTP stand-in for the OpenFaaS gateway where the gateway is not what a test is about: it lists functions as
 * /system/namespaces and /system/functions do, and records every call to /function/ and /async-function/.
 */
export async function startFakeGateway(functions: FakeFunction[]): Promise<FakeGateway> {
  let listed = functions;
  const gateway: Omit<FakeGateway, "url"> & { url: string } = {
    url: "",
    invocations: [],
    setFunctions(next) {
      listed = next;
    },
    answer: () => ({ status: 200, body: "ok" }),
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://gateway");
      if (url.pathname === "/system/namespaces") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(["openfaas-fn"]));
        return;
      }
      if (url.pathname === "/system/functions") {
        const body = JSON.stringify(
          listed.map((fn) => ({ name: fn.name, image: "x", namespace: "openfaas-fn", annotations: fn.annotations })),
        );
        res.writeHead(200, { "content-type": "application/json" }).end(body);
        return;
      }
      const match = /^\/(?:async-)?function\/([^/]+)(\/.*)?$/.exec(url.pathname);
      if (!match) {
        res.writeHead(404).end();
        return;
      }
      const invocation: Invocation = {
        fn: match[1] as string,
        path: url.pathname,
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      gateway.invocations.push(invocation);
      try {
        const { status, body, headers } = await gateway.answer(invocation);
        res.writeHead(status, { "content-type": "text/plain", ...headers }).end(body ?? "");
      } catch {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gateway.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return gateway;
}
