import { step } from "@coffee-edge/node18-typescript/steps";
import type { Store } from "@coffee-edge/node18-typescript/store";
import type { AlertDelivery } from "./alert-delivery.js";
import { type Alert, insertAlert } from "./alert-store.js";
import { openOfflineIncident, silentFridges } from "./state-store.js";
import type { FridgeId } from "./topic.js";

/** The cron run's answer: the fridges newly found silent, and the alerts delivered by this run. */
export interface OfflineReport {
  readonly checkedAt: string;
  readonly offline: Array<FridgeId & { lastSeen: string }>;
  readonly alertsDelivered: number;
}

export interface OfflineCheckOptions {
  readonly staleAfterSeconds: number;
  readonly now: Date;
  readonly newId: () => string;
  readonly alerts: AlertDelivery;
  readonly webhookConfigured: boolean;
}

/** Fridges opened as offline per run at most; the rest are found by the next run, five minutes later. */
export const OFFLINE_PER_RUN = 500;

/**
 * The scheduled check: every fridge whose last reading is older than STALE_AFTER_SECONDS gets one
 * sensor-offline incident and one alert (a later reading closes the incident; the next silence opens a new
 * one). Then every alert still pending, these and earlier ones the webhook missed, is sent again.
 */
export async function checkOfflineSensors(store: Store, options: OfflineCheckOptions): Promise<OfflineReport> {
  const checkedAt = options.now.toISOString();
  const cutoff = new Date(options.now.getTime() - options.staleAfterSeconds * 1000).toISOString();

  const offline = await step("store", () =>
    store.transaction(async (tx) => {
      const found: OfflineReport["offline"] = [];
      for (const silent of await silentFridges(tx, cutoff, OFFLINE_PER_RUN)) {
        const incidentId = options.newId();
        // Re-checked by the UPDATE: a reading may have arrived, or another run opened the incident.
        if (!(await openOfflineIncident(tx, silent, incidentId, cutoff, checkedAt))) continue;
        const alert: Alert = {
          id: options.newId(),
          incidentId,
          kind: "sensor-offline",
          store: silent.store,
          fridge: silent.fridge,
          status: "sensor-offline",
          tempC: silent.lastTempC,
          at: checkedAt,
          lastSeen: silent.lastSeen,
          createdAt: checkedAt,
        };
        await insertAlert(tx, alert, options.webhookConfigured ? "pending" : "no-webhook");
        found.push({ store: silent.store, fridge: silent.fridge, lastSeen: silent.lastSeen });
      }
      return found;
    }),
  );

  const alertsDelivered = await options.alerts.retryPending(store);
  return { checkedAt, offline, alertsDelivered };
}
