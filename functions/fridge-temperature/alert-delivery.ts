import type { Logger } from "@coffee-edge/node18-typescript";
import { DeliveryError, type DeliveryOptions, postJson } from "@coffee-edge/node18-typescript/deliver";
import { step } from "@coffee-edge/node18-typescript/steps";
import type { Queryable } from "@coffee-edge/node18-typescript/store";
import { type Alert, alertDocument, type DeliveryOutcome, pendingAlerts, recordDelivery } from "./alert-store.js";

/** How alerts reach ALERT_WEBHOOK_URL: retries, delays and timeouts of the kit's postJson (fetch and sleep in tests). */
export type AlertPostOptions = Omit<DeliveryOptions, "headers">;

/**
 * Three attempts of at most 2 s each, about 7 s in the worst case: a reading's answer waits for its alert,
 * and the image's watchdog gives a request 10 s (exec_timeout).
 */
export const DEFAULT_ALERT_POST: AlertPostOptions = {
  attempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 1000,
  timeoutMs: 2000,
};

/** Alerts a cron run sends at most, oldest first. */
export const RETRIES_PER_RUN = 50;

/**
 * A cron run starts no new delivery after this long. It gives each alert one attempt (the schedule is its
 * retry loop), so a run ends within this plus one attempt's timeout, inside the watchdog's 10 s.
 */
export const RETRY_BUDGET_MS = 5000;

export interface AlertDeliveryDeps {
  /** ALERT_WEBHOOK_URL; undefined: alerts are stored and never sent. Never logged (it may hold a token). */
  readonly url: string | undefined;
  readonly post: AlertPostOptions;
  readonly now: () => Date;
  readonly logger: Logger;
}

export type DeliveryResult = DeliveryOutcome["delivery"] | "skipped";

export interface AlertDelivery {
  /** Sends one stored alert and records the outcome; never throws (the alert stays pending for the cron run). */
  deliver(db: Queryable, alert: Alert): Promise<DeliveryResult>;
  /**
   * Sends pending alerts, oldest first, one attempt each, stopping at the first the webhook cannot take now
   * (the others would only wait out the same timeouts). Returns how many went out.
   */
  retryPending(db: Queryable): Promise<number>;
}

export function createAlertDelivery(deps: AlertDeliveryDeps): AlertDelivery {
  const send = async (url: string, alert: Alert, post: AlertPostOptions): Promise<DeliveryOutcome> => {
    try {
      const done = await postJson(url, alertDocument(alert), { ...post, headers: { "idempotency-key": alert.id } });
      return { delivery: "delivered", attempts: done.attempts, lastStatus: done.status, at: deps.now().toISOString() };
    } catch (error) {
      const attempts = error instanceof DeliveryError ? error.attempts : 1;
      const status = error instanceof DeliveryError ? error.status : undefined;
      // DeliveryError's message names the receiver's origin only, never the path or query that may hold a token.
      deps.logger.warn("alert delivery failed", { alertId: alert.id, attempts, status, err: messageOf(error) });
      const delivery = status !== undefined && isPermanentRefusal(status) ? "rejected" : "pending";
      return { delivery, attempts, lastStatus: status, at: deps.now().toISOString() };
    }
  };

  const deliver = async (db: Queryable, alert: Alert, post: AlertPostOptions): Promise<DeliveryResult> => {
    const { url } = deps;
    if (url === undefined) return "skipped";
    const outcome = await step("deliver", () => send(url, alert, post), { "alert.kind": alert.kind });
    try {
      await recordDelivery(db, alert.id, outcome);
    } catch (error) {
      // The alert stays pending and is sent again by the cron run; the webhook deduplicates by its id.
      deps.logger.error("could not record an alert delivery", { alertId: alert.id, err: messageOf(error) });
    }
    return outcome.delivery;
  };

  return {
    deliver: (db, alert) => deliver(db, alert, deps.post),
    async retryPending(db) {
      if (deps.url === undefined) return 0;
      const startedAt = performance.now();
      let delivered = 0;
      for (const alert of await pendingAlerts(db, RETRIES_PER_RUN)) {
        if (performance.now() - startedAt > RETRY_BUDGET_MS) break;
        const delivery = await deliver(db, alert, { ...deps.post, attempts: 1 });
        if (delivery === "delivered") delivered++;
        else if (delivery === "pending") break;
      }
      return delivered;
    },
  };
}

/** A 4xx other than 408/429: sending the same document again would be refused again. */
function isPermanentRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
