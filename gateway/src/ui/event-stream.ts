import type { IncomingMessage, ServerResponse } from "node:http";
import type { LiveFeed } from "./live-feed.js";

export interface EventStreamLimits {
  /** Pages streaming at once; more get 503 (default 32: a store has a handful of screens). */
  readonly maxClients?: number;
  /** A page that reads slower than this much is waiting is cut (default 1 MB); it reconnects and resyncs. */
  readonly maxBacklogBytes?: number;
  /** A comment line this often keeps proxies and phones from closing an idle stream (default 15 s). */
  readonly keepAliveMs?: number;
}

/**
 * `GET /ui/events`: server-sent events. First `snapshot` (the last hours of readings and the recent alerts), then
 * one `reading`, `shot` or `alert` event per message. EventSource reconnects by itself; each connection starts
 * with a fresh snapshot, so nothing needs `Last-Event-ID`.
 */
export function streamEvents(
  feed: LiveFeed,
  limits: EventStreamLimits,
  req: IncomingMessage,
  res: ServerResponse,
  refuse: (status: number, detail: string) => void,
): void {
  if (feed.listeners >= (limits.maxClients ?? 32)) {
    refuse(503, "too many dashboards are open on this gateway; close one and reload");
    return;
  }
  const maxBacklog = limits.maxBacklogBytes ?? 1024 * 1024;
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",
  });
  res.write(`retry: 2000\nevent: snapshot\ndata: ${JSON.stringify(feed.snapshot())}\n\n`);
  const stop = feed.listen(
    (event) => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      if (res.writableLength > maxBacklog) res.destroy();
    },
    () => res.end(),
  );
  const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), limits.keepAliveMs ?? 15_000);
  const end = () => {
    stop();
    clearInterval(keepAlive);
  };
  req.socket.once("close", end);
  res.once("close", end);
}
