import type { Logger } from "@coffee-edge/node18-typescript";
import { step } from "@coffee-edge/node18-typescript/steps";
import type { Store } from "@coffee-edge/node18-typescript/store";
import { alertFor, deliverAlert } from "./alerts.js";
import type { EspressoConfig } from "./config.js";
import { INLINE_ALERT_BUDGET, type Send } from "./delivery.js";
import { localDate } from "./local-date.js";
import { countShot } from "./shot-counts.js";
import type { Shot } from "./shot-input.js";
import { type UsageStatus, usageMessage, usageStatus } from "./usage-status.js";

/** The answer to a shot event (and what the MQTT connector may publish as the response). */
export interface ShotAnswer {
  readonly store: string;
  readonly machine: string;
  readonly date: string;
  readonly count: number;
  readonly threshold: number;
  readonly status: UsageStatus;
  readonly message: string;
}

export interface RecordDeps {
  readonly config: EspressoConfig;
  readonly now: () => Date;
  readonly send: Send;
  readonly logger: Logger;
}

/**
 * Counts a validated shot on its machine's local day and, when it is the shot that reaches the threshold,
 * delivers the day's one alert after the transaction (no network call holds a database lock).
 */
export async function recordShot(
  store: Store,
  shot: Shot,
  deps: RecordDeps,
): Promise<{ answer: ShotAnswer; duplicate: boolean }> {
  const { dailyThreshold: threshold, timeZone, alertWebhookUrl } = deps.config;
  const date = localDate(shot.at, timeZone);
  const outcome = await step(
    "store",
    () => countShot(store, { ...shot, day: date, at: shot.at.toISOString() }, threshold),
    { "espresso.store": shot.store, "espresso.machine": shot.machine, "espresso.date": date },
  );
  if (outcome.alertCreated) {
    deps.logger.info("daily threshold reached", { store: shot.store, machine: shot.machine, date, threshold });
    if (alertWebhookUrl) {
      const alert = await alertFor(store, shot, date);
      if (alert) {
        await step("deliver alert", () =>
          deliverAlert(store, alert, {
            url: alertWebhookUrl,
            send: deps.send,
            budget: INLINE_ALERT_BUDGET,
            logger: deps.logger,
            now: deps.now,
          }),
        );
      }
    }
  }
  const status = usageStatus(outcome.count, threshold);
  return {
    answer: {
      store: shot.store,
      machine: shot.machine,
      date,
      count: outcome.count,
      threshold,
      status,
      message: usageMessage(status),
    },
    duplicate: outcome.duplicate,
  };
}
