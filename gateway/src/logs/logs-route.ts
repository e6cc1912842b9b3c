import type { IncomingMessage, ServerResponse } from "node:http";
import { sendProblem } from "../http/problem.js";
import type { LogBook } from "./log-book.js";
import { isFunctionName, type LogEntry } from "./log-entry.js";
import { isLogRequestError, parseLogRequest } from "./log-request.js";

const NDJSON = "application/x-ndjson";
/**
 * A follower whose client reads slower than the function prints has its answer ended once this much is waiting
 * in memory: faas-cli then sees the stream end, as when OpenFaaS' own timeout ends it.
 */
const MAX_FOLLOW_BACKLOG_BYTES = 4 * 1024 * 1024;

/**
 * `GET /system/logs?name=&namespace=&instance=&tail=&follow=&since=`, answered as faas-provider's log handler
 * answers faas-cli: `application/x-ndjson`, one `{"name","namespace","instance","timestamp","text"}` per line.
 * With `follow=true` the answer stays open and carries each new line until the client goes away (or the book
 * closes). Problems: 400 missing `name` or an unreadable parameter; 404 unknown function or a namespace other
 * than `openfaas-fn`; 405 anything but GET.
 */
export function handleLogs(
  book: LogBook,
  knownFunction: (name: string) => boolean,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): void {
  if (req.method !== "GET") {
    sendProblem(res, 405, {
      type: "method-not-allowed",
      detail: "/system/logs answers only GET.",
      headers: { Allow: "GET" },
    });
    return;
  }

  const request = parseLogRequest(url);
  if (isLogRequestError(request)) {
    sendProblem(res, request.status, { type: request.type, detail: request.detail });
    return;
  }
  const { name, instance, tail, since, follow } = request;
  if (!isFunctionName(name) || !knownFunction(name)) {
    sendProblem(res, 404, { type: "function-not-found", detail: `No function is named '${name}'.` });
    return;
  }

  const earlier = book.query({
    name,
    ...(instance === undefined ? {} : { instance }),
    ...(tail === undefined ? {} : { tail }),
    ...(since === undefined ? {} : { since }),
  });
  const lines = earlier.map(toLine).join("");

  if (!follow) {
    res.writeHead(200, { "Content-Type": NDJSON, "Content-Length": Buffer.byteLength(lines) });
    res.end(lines);
    return;
  }

  // The router may have awaited something (auth) before calling: the client may be gone already.
  if (res.destroyed || res.socket === null || res.socket.destroyed) return;

  res.writeHead(200, { "Content-Type": NDJSON, "Cache-Control": "no-store" });
  res.flushHeaders();
  if (lines !== "") res.write(lines);

  const sinceMs = since?.getTime();
  const stop = book.follow(
    name,
    (entry) => {
      if (instance !== undefined && entry.instance !== instance) return;
      if (sinceMs !== undefined && Date.parse(entry.timestamp) < sinceMs) return;
      if (res.writableLength > MAX_FOLLOW_BACKLOG_BYTES) {
        finish();
        return;
      }
      res.write(toLine(entry));
    },
    () => finish(),
  );

  function finish(): void {
    stop();
    if (!res.writableEnded) res.end();
  }

  // 'close' comes both when the answer is complete and when the client goes away first: stop following either way.
  res.once("close", stop);
}

function toLine(entry: LogEntry): string {
  return `${JSON.stringify({
    name: entry.name,
    namespace: entry.namespace,
    instance: entry.instance,
    timestamp: entry.timestamp,
    text: entry.text,
  })}\n`;
}
