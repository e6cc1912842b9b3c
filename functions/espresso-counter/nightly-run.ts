import { type Logger, ProblemError, problemType } from "@coffee-edge/node18-typescript";
import { step } from "@coffee-edge/node18-typescript/steps";
import type { Store } from "@coffee-edge/node18-typescript/store";
import { deliverAlert, undeliveredAlerts } from "./alerts.js";
import type { EspressoConfig } from "./config.js";
import { describeDeliveryFailure, lastStatusOf, RETRY_ALERT_BUDGET, ROLLUP_BUDGET, type Send } from "./delivery.js";
import { localDate, previousDate, shiftDate } from "./local-date.js";
import {
  claimRollup,
  dueRollups,
  isDelivered,
  markRollupDelivered,
  releaseRollup,
  scheduleRollups,
  type UsageRollup,
  usageRollup,
} from "./rollups.js";
import { forgetEventsBefore } from "./shot-counts.js";

/** A night the function did not run is caught up on a later night, up to this many days back. */
export const CATCH_UP_DAYS = 7;
/** Due days listed in one answer at most. */
const MAX_DUE_LISTED = 366;
/** Rollups sent in one run at most: a long outage's backlog drains over a few nights, within exec_timeout. */
const MAX_ROLLUPS_PER_RUN = 14;
/** Alerts re-sent in one run at most. */
const MAX_ALERT_RETRIES_PER_RUN = 10;
/** Event ids are remembered this long for deduplication. */
export const EVENT_ID_RETENTION_DAYS = 31;
/** How long a run holds a rollup it is sending before another run may take it. */
const CLAIM_MS = 60_000;

export interface NightlyDeps {
  readonly config: EspressoConfig;
  readonly now: () => Date;
  readonly send: Send;
  readonly logger: Logger;
}

export interface NightlyReport {
  /** Yesterday in STORE_TIMEZONE: the day this run rolls up. */
  readonly date: string;
  /** Days whose rollup this run delivered. */
  readonly delivered: string[];
  /** Yesterday, when an earlier run already delivered it (nothing was sent again). */
  readonly alreadyDelivered: string[];
  /** The day whose delivery failed after retries (the run stops there; it stays due). */
  readonly failed: string[];
  /** Due days this run did not try: after a failure, beyond the per-run cap, or being sent by another run. */
  readonly pending: string[];
  /** Yesterday's usage, whether or not it was sent. */
  readonly rollup: UsageRollup;
  readonly alerts: { readonly delivered: number; readonly undelivered: number };
}

/**
 * The cron run: yesterday's usage to USAGE_SINK_URL (and any earlier day still due), threshold alerts
 * that could not be delivered re-sent, and old event ids forgotten. Every rollup goes out under
 * `Idempotency-Key: usage-<date>` and is recorded once delivered, so it is never sent again. When a
 * delivery fails after its retries, the run answers 502 with the same report, so the failure shows in
 * the gateway's metrics and the connector's log; the day stays due for the next run.
 */
export async function runNightly(store: Store, deps: NightlyDeps): Promise<NightlyReport> {
  const { config } = deps;
  const now = deps.now();
  const today = localDate(now, config.timeZone);
  const yesterday = previousDate(today);
  const rollup = await step("rollup", () => usageRollup(store, yesterday), { "espresso.date": yesterday });

  const sinkUrl = config.usageSinkUrl;
  const outcome = sinkUrl
    ? await step("deliver rollups", () => deliverRollups(store, deps, sinkUrl, yesterday))
    : { delivered: [], alreadyDelivered: [], failed: [], pending: [] };
  const alerts = await step("retry alerts", () => retryAlerts(store, deps, yesterday));
  await forgetEventsBefore(store, shiftDate(today, -EVENT_ID_RETENTION_DAYS));

  const report: NightlyReport = { date: yesterday, ...outcome, rollup, alerts };
  deps.logger.info("nightly run", {
    date: yesterday,
    delivered: outcome.delivered.join(","),
    failed: outcome.failed.join(","),
    pending: outcome.pending.join(","),
  });
  if (outcome.failed.length > 0) {
    throw new ProblemError(502, {
      type: problemType("usage-sink-unavailable"),
      title: "The usage sink did not accept the rollup",
      detail: `The rollup of ${outcome.failed.join(", ")} was not delivered after retries; the next run sends it.`,
      extensions: { ...report },
    });
  }
  return report;
}

type RollupOutcome = Pick<NightlyReport, "delivered" | "alreadyDelivered" | "failed" | "pending">;

async function deliverRollups(store: Store, deps: NightlyDeps, url: string, yesterday: string): Promise<RollupOutcome> {
  const nowIso = deps.now().toISOString();
  await store.transaction((tx) => scheduleRollups(tx, shiftDate(yesterday, 1 - CATCH_UP_DAYS), yesterday, nowIso));
  const outcome: RollupOutcome = {
    delivered: [],
    alreadyDelivered: (await isDelivered(store, yesterday)) ? [yesterday] : [],
    failed: [],
    pending: [],
  };
  const due = await dueRollups(store, yesterday, MAX_DUE_LISTED);
  for (const [index, day] of due.entries()) {
    if (outcome.failed.length > 0 || index >= MAX_ROLLUPS_PER_RUN) {
      outcome.pending.push(day);
      continue;
    }
    const claimedAt = deps.now();
    const until = new Date(claimedAt.getTime() + CLAIM_MS).toISOString();
    if (!(await claimRollup(store, day, claimedAt.toISOString(), until))) {
      outcome.pending.push(day);
      continue;
    }
    // Counted now, not when the day was scheduled: a late shot for that day is still in it.
    const document = await usageRollup(store, day);
    try {
      const { status } = await deps.send(url, document, `usage-${day}`, ROLLUP_BUDGET);
      await markRollupDelivered(store, day, status, deps.now().toISOString());
      outcome.delivered.push(day);
    } catch (error) {
      await releaseRollup(store, day, lastStatusOf(error));
      deps.logger.warn("usage rollup not delivered; the next run sends it", {
        date: day,
        ...describeDeliveryFailure(error),
      });
      outcome.failed.push(day);
    }
  }
  return outcome;
}

/** Alerts of yesterday and today that could not be delivered when they were raised; stops at the first failure. */
async function retryAlerts(store: Store, deps: NightlyDeps, yesterday: string): Promise<NightlyReport["alerts"]> {
  const url = deps.config.alertWebhookUrl;
  // Without a webhook alerts are only stored; they are sent should one be configured later that day.
  if (!url) return { delivered: 0, undelivered: 0 };
  const waiting = await undeliveredAlerts(store, yesterday, MAX_ALERT_RETRIES_PER_RUN);
  const delivery = { url, send: deps.send, budget: RETRY_ALERT_BUDGET, logger: deps.logger, now: deps.now };
  let delivered = 0;
  for (const alert of waiting) {
    const ok = await deliverAlert(store, alert, delivery);
    if (!ok) break;
    delivered++;
  }
  return { delivered, undelivered: waiting.length - delivered };
}
