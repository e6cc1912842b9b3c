import { request } from "node:http";
import type { AcceptedCall, Invoke, InvokeResult } from "../async/accepted-call.js";
import { HOP_BY_HOP } from "./headers.js";

/**
 * The async worker's way to run a queued call: a request to this gateway's own `/function/{name}` route, as
 * OpenFaaS's queue-worker calls the gateway. Scale from zero, `max_inflight`, `exec_timeout` and the
 * invocation metrics then apply exactly as to a synchronous call. A connection failure rejects (retried).
 */
export function loopbackInvoke(gatewayPort: () => number, userAgent: string): Invoke {
  return (call: AcceptedCall) =>
    new Promise<InvokeResult>((resolve, reject) => {
      const started = performance.now();
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of call.headers) {
        const lower = name.toLowerCase();
        if (HOP_BY_HOP.has(lower) || lower === "host" || lower === "content-length" || lower === "x-callback-url") {
          continue;
        }
        const seen = headers[lower];
        headers[lower] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
      }
      headers["content-length"] = String(call.body.length);
      headers["user-agent"] ??= userAgent;
      const path = `/function/${call.functionName}${call.path}${call.query ? `?${call.query}` : ""}`;
      const outgoing = request(
        { host: "127.0.0.1", port: gatewayPort(), method: call.method, path, headers },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => chunks.push(chunk));
          answer.once("error", reject);
          answer.once("end", () => {
            const pairs: Array<[string, string]> = [];
            for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) {
              pairs.push([answer.rawHeaders[i] as string, answer.rawHeaders[i + 1] as string]);
            }
            resolve({
              status: answer.statusCode ?? 502,
              headers: pairs,
              body: Buffer.concat(chunks),
              durationSeconds: (performance.now() - started) / 1000,
            });
          });
        },
      );
      outgoing.once("error", reject);
      outgoing.end(call.body);
    });
}
