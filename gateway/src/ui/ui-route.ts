import type { IncomingMessage, ServerResponse } from "node:http";
import type { AsyncJobView } from "../async/async-queue.js";
import { sendProblem } from "../http/problem.js";
import { sendJson } from "../http/send-json.js";
import { methodNotAllowed } from "../http/system-functions.js";
import { type EventStreamLimits, streamEvents } from "./event-stream.js";
import type { LiveFeed } from "./live-feed.js";
import type { StaticAsset } from "./static-assets.js";

export interface UiDeps {
  readonly assets: ReadonlyMap<string, StaticAsset>;
  readonly feed: LiveFeed;
  readonly jobs: { recent(limit: number): AsyncJobView[] };
  readonly streamLimits?: EventStreamLimits;
}

/**
 * Everything under `/ui/` (the caller has checked basic auth): the page's files, `events` (the live stream) and
 * `api/jobs` (recent async calls). The rest of what the page shows it reads from the gateway's own API:
 * `/system/functions`, `/metrics`, `/system/logs`, `/function/…`.
 */
export function handleUi(deps: UiDeps, req: IncomingMessage, res: ServerResponse, path: string, url: URL): void {
  if (path === "/ui") {
    res.writeHead(308, { Location: "/ui/" }).end();
    return;
  }
  const name = path.slice("/ui/".length) || "index.html";
  const asset = deps.assets.get(name);
  if (req.method !== "GET" && req.method !== "HEAD") methodNotAllowed(res, "GET");
  else if (name === "events" && req.method === "HEAD") methodNotAllowed(res, "GET");
  else if (name === "events") {
    streamEvents(deps.feed, deps.streamLimits ?? {}, req, res, (status, detail) =>
      sendProblem(res, status, { type: "too-many-dashboards", detail, headers: { "Retry-After": "10" } }),
    );
  } else if (name === "api/jobs") sendJobs(deps, res, url);
  else if (asset) sendAsset(asset, req, res);
  else sendProblem(res, 404, { type: "not-found", detail: `no dashboard file ${path}` });
}

function sendJobs(deps: UiDeps, res: ServerResponse, url: URL): void {
  const raw = url.searchParams.get("limit") ?? "50";
  const limit = Number(raw);
  if (/^\d{1,4}$/.test(raw) && limit >= 1 && limit <= 500) sendJson(res, 200, deps.jobs.recent(limit));
  else sendProblem(res, 400, { type: "invalid-query", detail: "limit must be a whole number from 1 to 500" });
}

function sendAsset(asset: StaticAsset, req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string | number> = {
    "Content-Type": asset.contentType,
    ETag: asset.etag,
    // Revalidated on each visit (a 304 costs a few bytes): a new gateway version shows at once.
    "Cache-Control": "no-cache",
    Vary: "Accept-Encoding",
    "X-Content-Type-Options": "nosniff",
    // The page loads only its own files and talks only to this gateway.
    "Content-Security-Policy":
      "default-src 'self'; img-src 'self' blob: data:; frame-src 'self' blob:; object-src 'none'; base-uri 'none'",
  };
  if (req.headers["if-none-match"] === asset.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const gzip = asset.gzipped && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  const body = gzip ? (asset.gzipped as Buffer) : asset.body;
  res.writeHead(200, { ...headers, ...(gzip ? { "Content-Encoding": "gzip" } : {}), "Content-Length": body.length });
  res.end(req.method === "HEAD" ? undefined : body);
}
