import type { IncomingMessage, ServerResponse } from "node:http";
import { sendProblem } from "../http/problem.js";
import { BodyTooLargeError, readJsonObject } from "../http/read-body.js";
import { readAlert } from "./alert-payload.js";
import type { LiveFeed } from "./live-feed.js";

const MAX_ALERT_BYTES = 16 * 1024;

/**
 * `POST /hooks/alerts`: where `npm start` points fridge-temperature's and espresso-counter's `ALERT_WEBHOOK_URL`,
 * so their alerts reach the dashboard as they happen. The functions send no credentials (a webhook with a password
 * would put it in their environment, which /system/functions shows), so only this machine may post: a request from
 * another address is 403, and what is posted must have an alert's exact shape (400 otherwise).
 */
export async function handleAlertHook(feed: LiveFeed, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "POST") {
    return sendProblem(res, 405, {
      type: "method-not-allowed",
      detail: "/hooks/alerts answers only POST.",
      headers: { Allow: "POST" },
    });
  }
  if (!fromThisMachine(req)) {
    return sendProblem(res, 403, {
      type: "forbidden",
      detail: "alerts are accepted only from the functions on this machine",
    });
  }
  let body: Awaited<ReturnType<typeof readJsonObject>>;
  try {
    body = await readJsonObject(req, MAX_ALERT_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return sendProblem(res, 413, { type: "payload-too-large", detail: `an alert is at most ${MAX_ALERT_BYTES} bytes` });
  }
  if (!body.ok) return sendProblem(res, 400, { type: "invalid-alert", detail: body.detail });
  const header = req.headers["idempotency-key"];
  const alert = readAlert(body.value, typeof header === "string" ? header : undefined);
  if (typeof alert === "string") return sendProblem(res, 400, { type: "invalid-alert", detail: alert });
  feed.publish(alert);
  res.writeHead(204).end();
}

/** Loopback, or the address the gateway itself listens on (GATEWAY_HOST set to the store's LAN address). */
function fromThisMachine(req: IncomingMessage): boolean {
  const remote = req.socket.remoteAddress ?? "";
  return (
    remote === "127.0.0.1" ||
    remote === "::1" ||
    remote === "::ffff:127.0.0.1" ||
    (remote !== "" && remote === req.socket.localAddress)
  );
}
