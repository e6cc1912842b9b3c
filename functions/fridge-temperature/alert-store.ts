import type { Queryable } from "@coffee-edge/node18-typescript/store";
import type { FridgeId } from "./topic.js";

export type AlertKind = "temperature" | "sensor-offline";
export type AlertStatus = "warning" | "critical" | "sensor-offline";

/**
 * Where an alert's delivery stands: `pending` until the webhook took it (retried by the cron run),
 * `delivered`, `rejected` when the webhook refused it for good (a 4xx other than 408/429), or
 * `no-webhook` when ALERT_WEBHOOK_URL was unset as it was raised (stored, never sent).
 */
export type DeliveryState = "pending" | "delivered" | "rejected" | "no-webhook";

/** One alert: raised once per incident, when the incident opens. */
export interface Alert extends FridgeId {
  readonly id: string;
  readonly incidentId: string;
  readonly kind: AlertKind;
  readonly status: AlertStatus;
  /** The reading that opened a temperature incident; the last one known for a sensor-offline incident. */
  readonly tempC: number | null;
  /** When the incident began: the reading's time, or when the cron run found the sensor silent. */
  readonly at: string;
  /** The last reading's time, for a sensor-offline incident. */
  readonly lastSeen: string | null;
  readonly createdAt: string;
}

export interface DeliveryOutcome {
  readonly delivery: Exclude<DeliveryState, "no-webhook">;
  /** HTTP attempts made by this delivery. */
  readonly attempts: number;
  readonly lastStatus: number | undefined;
  readonly at: string;
}

interface AlertRow {
  id: string;
  incident_id: string;
  kind: AlertKind;
  store_id: string;
  fridge_id: string;
  status: AlertStatus;
  temp_c: number | null;
  at: string;
  last_seen: string | null;
  created_at: string;
}

const COLUMNS = "id, incident_id, kind, store_id, fridge_id, status, temp_c, at, last_seen, created_at";

export async function insertAlert(tx: Queryable, alert: Alert, delivery: "pending" | "no-webhook"): Promise<void> {
  await tx.run(
    `INSERT INTO fridge_alerts (${COLUMNS}, delivery) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      alert.id,
      alert.incidentId,
      alert.kind,
      alert.store,
      alert.fridge,
      alert.status,
      alert.tempC,
      alert.at,
      alert.lastSeen,
      alert.createdAt,
      delivery,
    ],
  );
}

/** Alerts still waiting for the webhook, oldest first. */
export async function pendingAlerts(db: Queryable, limit: number): Promise<Alert[]> {
  const rows = await db.all<AlertRow>(
    `SELECT ${COLUMNS} FROM fridge_alerts WHERE delivery = 'pending' ORDER BY created_at, id LIMIT $1`,
    [limit],
  );
  return rows.map(toAlert);
}

/** Records one delivery; a delivered alert is never set back to pending by a late, failed duplicate. */
export async function recordDelivery(db: Queryable, id: string, outcome: DeliveryOutcome): Promise<void> {
  await db.run(
    `UPDATE fridge_alerts SET delivery = $2, attempts = attempts + $3, last_status = $4,
       delivered_at = CASE WHEN $2 = 'delivered' THEN $5 ELSE delivered_at END
     WHERE id = $1 AND delivery <> 'delivered'`,
    [id, outcome.delivery, outcome.attempts, outcome.lastStatus ?? null, outcome.at],
  );
}

/** What the webhook receives. Receivers deduplicate by `id`, also sent as the Idempotency-Key header. */
export function alertDocument(alert: Alert): Record<string, unknown> {
  return {
    id: alert.id,
    incident: alert.incidentId,
    kind: alert.kind,
    store: alert.store,
    fridge: alert.fridge,
    status: alert.status,
    tempC: alert.tempC,
    at: alert.at,
    ...(alert.lastSeen === null ? {} : { lastSeen: alert.lastSeen }),
    message:
      alert.kind === "temperature"
        ? "Warning: Too hot!"
        : `Sensor offline: no reading from fridge ${alert.fridge} since ${alert.lastSeen ?? "its first reading"}.`,
  };
}

function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    incidentId: row.incident_id,
    kind: row.kind,
    store: row.store_id,
    fridge: row.fridge_id,
    status: row.status,
    tempC: row.temp_c,
    at: row.at,
    lastSeen: row.last_seen,
    createdAt: row.created_at,
  };
}
