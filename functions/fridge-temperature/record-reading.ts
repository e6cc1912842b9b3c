import type { Store } from "@coffee-edge/node18-typescript/store";
import { type Alert, insertAlert } from "./alert-store.js";
import { evaluate, type FridgeStatus, MESSAGES, type Thresholds } from "./evaluate.js";
import type { Reading } from "./reading.js";
import { logReading } from "./reading-log.js";
import { type FridgeState, lockFridgeState, saveFridgeState } from "./state-store.js";

/** The answer to a reading. */
export interface ReadingAnswer {
  readonly store: string;
  readonly fridge: string;
  readonly tempC: number;
  readonly status: FridgeStatus;
  readonly message: string;
}

export interface RecordedReading {
  readonly answer: ReadingAnswer;
  /** The alert this reading raised (it opened an incident), to deliver once the transaction committed. */
  readonly alert: Alert | undefined;
  /** False when the reading was not newer than the last one of its fridge and changed nothing. */
  readonly applied: boolean;
}

export interface RecordOptions {
  readonly thresholds: Thresholds;
  readonly newId: () => string;
  readonly now: Date;
  /** Whether ALERT_WEBHOOK_URL is set: an alert raised without it is stored as never to be sent. */
  readonly webhookConfigured: boolean;
}

/**
 * Evaluates a reading against its fridge's state and saves the outcome, all in one transaction under the
 * fridge's row lock. A reading not newer than the last one processed (an MQTT redelivery, or one that
 * arrives out of order) is logged but changes nothing: the answer is the fridge's current state.
 */
export async function recordReading(store: Store, reading: Reading, options: RecordOptions): Promise<RecordedReading> {
  return store.transaction(async (tx) => {
    const previous = await lockFridgeState(tx, reading);
    await logReading(tx, reading);
    if (previous && reading.at <= previous.lastReadingAt) {
      return { answer: answerOf(reading, previous.lastTempC, previous.status), alert: undefined, applied: false };
    }

    const evaluation = evaluate(previous, reading, options.thresholds);
    const incidentId = evaluation.incidentOpened
      ? options.newId()
      : evaluation.incidentClosed
        ? null
        : (previous?.incidentId ?? null);
    const next: FridgeState = {
      ...evaluation.state,
      incidentId,
      lastReadingAt: reading.at,
      lastTempC: reading.tempC,
      // A reading ends any sensor-offline incident.
      offlineIncidentId: null,
      offlineSince: null,
    };
    await saveFridgeState(tx, reading, next);

    let alert: Alert | undefined;
    if (evaluation.incidentOpened && incidentId !== null) {
      alert = {
        id: options.newId(),
        incidentId,
        kind: "temperature",
        store: reading.store,
        fridge: reading.fridge,
        status: next.status === "critical" ? "critical" : "warning",
        tempC: reading.tempC,
        at: reading.at,
        lastSeen: null,
        createdAt: options.now.toISOString(),
      };
      await insertAlert(tx, alert, options.webhookConfigured ? "pending" : "no-webhook");
    }
    return { answer: answerOf(reading, reading.tempC, next.status), alert, applied: true };
  });
}

function answerOf(reading: Reading, tempC: number, status: FridgeStatus): ReadingAnswer {
  return { store: reading.store, fridge: reading.fridge, tempC, status, message: MESSAGES[status] };
}
