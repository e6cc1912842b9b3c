import type { Logger } from "@coffee-edge/node18-typescript";
import type { Queryable } from "@coffee-edge/node18-typescript/store";
import { type DeliveryBudget, describeDeliveryFailure, type Send } from "./delivery.js";
import type { MachineRef } from "./topic.js";
import { THRESHOLD_REACHED } from "./usage-status.js";

/** The day's one alert for a machine, as stored and as POSTed to ALERT_WEBHOOK_URL. */
export interface ThresholdAlert extends MachineRef {
  readonly type: "espresso-threshold-reached";
  readonly date: string;
  /** The count when the threshold was reached. */
  readonly count: number;
  readonly threshold: number;
  readonly message: typeof THRESHOLD_REACHED;
  readonly reachedAt: string;
}

interface AlertRow {
  store: string;
  machine: string;
  day: string;
  shot_count: number;
  threshold: number;
  reached_at: string;
}

const ALERT_COLUMNS = "store, machine, day, shot_count, threshold, reached_at";

export async function alertFor(db: Queryable, ref: MachineRef, day: string): Promise<ThresholdAlert | undefined> {
  const row = await db.get<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM espresso_alerts WHERE store = $1 AND machine = $2 AND day = $3`,
    [ref.store, ref.machine, day],
  );
  return row && toAlert(row);
}

/** Alerts not yet delivered for days from `since` on, oldest first, at most `limit`. */
export async function undeliveredAlerts(db: Queryable, since: string, limit: number): Promise<ThresholdAlert[]> {
  const rows = await db.all<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM espresso_alerts
     WHERE delivered_at IS NULL AND day >= $1
     ORDER BY day, reached_at, store, machine LIMIT ${Math.trunc(limit)}`,
    [since],
  );
  return rows.map(toAlert);
}

/**
 * POSTs an alert and records its delivery. Resolves false when the receiver could not be reached: the
 * alert stays undelivered and the next cron run tries again. The key lets the receiver drop a second copy
 * (a retry after a lost answer, or a cron retry racing a late first delivery).
 */
export async function deliverAlert(
  db: Queryable,
  alert: ThresholdAlert,
  delivery: { url: string; send: Send; budget: DeliveryBudget; logger: Logger; now: () => Date },
): Promise<boolean> {
  const where = { store: alert.store, machine: alert.machine, date: alert.date };
  try {
    await delivery.send(delivery.url, alert, alertKey(alert), delivery.budget);
  } catch (error) {
    delivery.logger.warn("threshold alert not delivered; the next cron run retries it", {
      ...where,
      ...describeDeliveryFailure(error),
    });
    return false;
  }
  await db.run(
    "UPDATE espresso_alerts SET delivered_at = $4 WHERE store = $1 AND machine = $2 AND day = $3 AND delivered_at IS NULL",
    [alert.store, alert.machine, alert.date, delivery.now().toISOString()],
  );
  delivery.logger.info("threshold alert delivered", where);
  return true;
}

export function alertKey(alert: MachineRef & { date: string }): string {
  // Slashes, which ids cannot hold, so no two machines share a key.
  return `espresso-threshold/${alert.store}/${alert.machine}/${alert.date}`;
}

function toAlert(row: AlertRow): ThresholdAlert {
  return {
    type: "espresso-threshold-reached",
    store: row.store,
    machine: row.machine,
    date: row.day,
    count: Number(row.shot_count),
    threshold: Number(row.threshold),
    message: THRESHOLD_REACHED,
    reachedAt: row.reached_at,
  };
}
