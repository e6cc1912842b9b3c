import type { MqttClient } from "mqtt";
import type { Outbox } from "./outbox.js";

export interface ForwarderOptions {
  readonly outbox: Outbox;
  readonly client: MqttClient;
  /** Most publishes sent and not yet acknowledged. */
  readonly window: number;
  readonly toCentral: (localTopic: string) => string;
  /** True while the central connection is up (new publishes are sent only then). */
  readonly isReady: () => boolean;
  /** After each batch of PUBACKs, with how many. */
  readonly onForwarded: (count: number) => void;
  /** MQTT.js gave up on a publish (not a refusal by the broker): it is sent again, from the oldest row on. */
  readonly onPublishError: (error: Error) => void;
  /** Deleting acknowledged rows failed; they are kept and deleted later (sent again after a restart meanwhile). */
  readonly onRemoveError: (error: unknown) => void;
  /** How soon a failed delete is tried again. */
  readonly removeRetryMs: number;
}

export interface Forwarder {
  /** Something may be sendable: new rows, a new connection or a free slot. Coalesced per event-loop turn. */
  wake(): void;
  /** Publishes sent and not yet acknowledged. */
  readonly inFlight: number;
  /** Resolves once nothing is in flight (immediately when nothing is). */
  drained(): Promise<void>;
  /** Sends nothing more and deletes the rows acknowledged so far. */
  stop(): void;
}

/**
 * Sends the outbox to the central broker strictly in order: rows above a cursor are published (QoS 1) while fewer
 * than `window` are unacknowledged. MQTT keeps the order of one connection, and on a new connection MQTT.js
 * sends what was in flight again, first and in order, before anything new, so a window keeps the order a single
 * publish at a time would, at a window's worth of the throughput. A row is deleted only after its PUBACK
 * (batched per event-loop turn); a process that dies before that sends it again after its restart, starting from
 * the oldest row: at least once, so the central side may see a message twice.
 */
export function startForwarder(options: ForwarderOptions): Forwarder {
  const { outbox, client, window } = options;
  /** Highest seq handed to MQTT.js by this process; rows above it have not been sent. */
  let cursor = 0;
  let inFlight = 0;
  let stopped = false;
  /** A publish failed locally (MQTT.js gave up on it): once nothing is in flight, start again from the oldest row. */
  let resendFromOldest = false;
  let pumpScheduled: NodeJS.Immediate | undefined;
  let acked: number[] = [];
  let ackedCount = 0;
  let removalScheduled: NodeJS.Immediate | undefined;
  let removalRetry: NodeJS.Timeout | undefined;
  let drainWaiters: (() => void)[] = [];

  const removeAcked = (): void => {
    if (removalScheduled !== undefined) clearImmediate(removalScheduled);
    removalScheduled = undefined;
    clearTimeout(removalRetry);
    removalRetry = undefined;
    if (ackedCount > 0) {
      options.onForwarded(ackedCount);
      ackedCount = 0;
    }
    if (acked.length === 0) return;
    const batch = acked;
    acked = [];
    try {
      outbox.remove(batch);
    } catch (error) {
      acked = batch.concat(acked);
      options.onRemoveError(error);
      if (!stopped) {
        removalRetry = setTimeout(removeAcked, options.removeRetryMs);
        removalRetry.unref();
      }
    }
  };

  const settle = (seq: number, error: Error | null | undefined): void => {
    inFlight--;
    // MQTT.js calls back with null or undefined on a PUBACK.
    if (!error) {
      acked.push(seq);
      ackedCount++;
      // After stop() the outbox may be closed already: the row is sent again after the restart instead.
      if (!stopped) removalScheduled ??= setImmediate(removeAcked);
    } else if (!resendFromOldest) {
      resendFromOldest = true;
      if (!stopped) options.onPublishError(error);
    }
    if (inFlight === 0) {
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
    wake();
  };

  const pump = (): void => {
    pumpScheduled = undefined;
    if (stopped || !options.isReady()) return;
    if (resendFromOldest) {
      if (inFlight > 0) return;
      // Everything acknowledged is deleted first, so "from the oldest row" means exactly what was not.
      removeAcked();
      cursor = 0;
      resendFromOldest = false;
    }
    const room = window - inFlight;
    if (room <= 0) return;
    for (const row of outbox.peek(room, cursor)) {
      cursor = row.seq;
      inFlight++;
      client.publish(options.toCentral(row.topic), row.payload, { qos: 1 }, (error) => settle(row.seq, error));
    }
  };

  const wake = (): void => {
    if (stopped) return;
    pumpScheduled ??= setImmediate(pump);
  };

  return {
    wake,
    get inFlight() {
      return inFlight;
    },
    drained() {
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => drainWaiters.push(resolve));
    },
    stop() {
      stopped = true;
      if (pumpScheduled !== undefined) clearImmediate(pumpScheduled);
      pumpScheduled = undefined;
      removeAcked();
      clearTimeout(removalRetry);
    },
  };
}
