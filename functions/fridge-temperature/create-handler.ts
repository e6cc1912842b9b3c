import type { FunctionEvent, Handler, Logger } from "@coffee-edge/node18-typescript";
import { connectorOf, pathSegments, queryValue } from "@coffee-edge/node18-typescript/request";
import { step } from "@coffee-edge/node18-typescript/steps";
import { openOnFirstUse, type Store } from "@coffee-edge/node18-typescript/store";
import { type AlertPostOptions, createAlertDelivery } from "./alert-delivery.js";
import type { FridgeConfig } from "./config.js";
import { storeStatus } from "./fridge-status.js";

import { checkOfflineSensors } from "./offline-check.js";
import { invalidStoreQuery, methodNotAllowed, notFound, storeUnavailable } from "./problems.js";
import { readingFromEvent } from "./reading.js";
import { recordReading } from "./record-reading.js";
import { isFridgePartId } from "./topic.js";

/** Everything the function works with, passed in so tests can choose each one. */
export interface FridgeDeps {
  readonly config: FridgeConfig;
  /** Called at the first request that needs the store; called again after a failure. */
  readonly openStore: () => Promise<Store>;
  readonly now: () => Date;
  /** Ids of incidents and alerts (the alert id is the webhook's Idempotency-Key). */
  readonly newId: () => string;
  readonly alertPost: AlertPostOptions;
  readonly logger: Logger;
}

/**
 * fridge-temperature: POST a reading (from the MQTT connector, topic in X-Topic) → its status; the cron
 * connector's call (X-Connector: cron-connector) → the offline report; GET ?store=… → every fridge's status.
 */
export function createHandler(deps: FridgeDeps): Handler {
  const { config } = deps;
  const webhookConfigured = config.alertWebhookUrl !== undefined;
  const store = openOnFirstUse(deps.openStore);
  const alerts = createAlertDelivery({
    url: config.alertWebhookUrl,
    post: deps.alertPost,
    now: deps.now,
    logger: deps.logger,
  });

  const openedStore = async (): Promise<Store> => {
    try {
      return await store();
    } catch (error) {
      deps.logger.error("the store could not be opened", { err: error instanceof Error ? error.message : "unknown" });
      throw storeUnavailable(error);
    }
  };

  const onReading = async (event: FunctionEvent) => {
    const now = deps.now();
    const reading = await step("validate", () => readingFromEvent(event, { defaultUnit: config.defaultUnit, now }));
    const db = await openedStore();
    const recorded = await step("store", () =>
      recordReading(db, reading, { thresholds: config.thresholds, newId: deps.newId, now, webhookConfigured }),
    );
    // After the commit, never inside the transaction; a failed delivery leaves the alert pending for cron.
    if (recorded.alert) await alerts.deliver(db, recorded.alert);
    return recorded.answer;
  };

  const onStatusQuery = async (event: FunctionEvent) => {
    const storeId = queryValue(event, "store");
    if (storeId === undefined || !isFridgePartId(storeId)) throw invalidStoreQuery();
    const db = await openedStore();
    return step("store", () => storeStatus(db, storeId));
  };

  const onSchedule = async () =>
    checkOfflineSensors(await openedStore(), {
      staleAfterSeconds: config.staleAfterSeconds,
      now: deps.now(),
      newId: deps.newId,
      alerts,
      webhookConfigured,
    });

  return async function fridgeTemperature(event) {
    if (pathSegments(event).length > 0) throw notFound(event.path);
    if (connectorOf(event) === "cron-connector") return onSchedule();
    switch (event.method) {
      case "POST":
        return onReading(event);
      case "GET":
      case "HEAD":
        return onStatusQuery(event);
      default:
        throw methodNotAllowed(event.method);
    }
  };
}
