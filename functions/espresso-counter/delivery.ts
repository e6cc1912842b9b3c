import { type Delivered, DeliveryError, type DeliveryOptions, postJson } from "@coffee-edge/node18-typescript/deliver";

/** POSTs one JSON document with an Idempotency-Key; what the alert and rollup senders share. */
export type Send = (
  url: string,
  document: unknown,
  idempotencyKey: string,
  budget: DeliveryBudget,
) => Promise<Delivered>;

/** Attempts and time per delivery: small enough that a request finishes within the watchdog's exec_timeout. */
export type DeliveryBudget = Pick<DeliveryOptions, "attempts" | "timeoutMs" | "baseDelayMs" | "maxDelayMs">;

/** An alert sent while answering a shot: the shot must not wait long for a receiver that is down. */
export const INLINE_ALERT_BUDGET: DeliveryBudget = { attempts: 2, timeoutMs: 1500, baseDelayMs: 200, maxDelayMs: 500 };
/** An alert re-sent by the cron run: one try each, as the rollup needs the rest of the run's time. */
export const RETRY_ALERT_BUDGET: DeliveryBudget = { attempts: 1, timeoutMs: 1000 };
/** The nightly rollup: about 7 s at worst, under the template's 10 s exec_timeout. */
export const ROLLUP_BUDGET: DeliveryBudget = { attempts: 3, timeoutMs: 2000, baseDelayMs: 250, maxDelayMs: 1000 };

/** The kit's postJson with our headers; `fetch` and `sleep` injectable so tests need not wait for backoff. */
export function createSender(transport: Pick<DeliveryOptions, "fetch" | "sleep"> = {}): Send {
  return (url, document, idempotencyKey, budget) =>
    postJson(url, document, { ...transport, ...budget, headers: { "Idempotency-Key": idempotencyKey } });
}

/** The receiver's last answer to a failed delivery, or null when it could not be reached. */
export function lastStatusOf(error: unknown): number | null {
  return error instanceof DeliveryError && error.status !== undefined ? error.status : null;
}

/** What may be logged of a failed delivery: never the URL, whose query may carry a token. */
export function describeDeliveryFailure(error: unknown): Record<string, unknown> {
  if (error instanceof DeliveryError) return { attempts: error.attempts, lastStatus: lastStatusOf(error) };
  return { error: error instanceof Error ? error.name : typeof error };
}
