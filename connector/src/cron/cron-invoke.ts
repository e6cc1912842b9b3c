import type { Invoker, InvokerResponse } from "../core/invoker.js";

/** `X-Topic` of a scheduled run, and the `topic` annotation that marks a function for the cron connector. */
export const CRON_TOPIC = "cron-function";
/** `X-Connector` of the cron connector: the invoker's `connector` option. */
export const CRON_CONNECTOR = "cron-connector";

const EMPTY_BODY = Buffer.alloc(0);

/**
 * The scheduler's `invoke`: one run of `fn` as OpenFaaS's cron-connector sends it, with an empty body and
 * `X-Topic: cron-function` (the invoker, created with `connector: CRON_CONNECTOR`, adds `X-Connector`).
 */
export function invokeOnSchedule(invoker: Pick<Invoker, "invoke">): (fn: string) => Promise<InvokerResponse> {
  return (fn) => invoker.invoke({ fn, topic: CRON_TOPIC, body: EMPTY_BODY });
}
