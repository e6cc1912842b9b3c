import type { DashboardAlert, FridgeReading, LiveEvent } from "./live-event.js";

export interface LiveFeedOptions {
  /** How far back a fridge's chart reaches (default 6 h). */
  readonly historyMs?: number;
  /** Readings kept per fridge (default 4320: 6 h at one every 5 s); older ones go first. */
  readonly maxReadingsPerFridge?: number;
  /** Fridges followed at most (default 200); readings of others are still passed on live. */
  readonly maxFridges?: number;
  /** Alerts kept for a page that opens later (default 100). */
  readonly maxAlerts?: number;
  readonly now?: () => number;
}

/** One fridge's recent readings as two parallel arrays: a fifth of the bytes of one object per reading. */
export interface FridgeSeries {
  readonly store: string;
  readonly fridge: string;
  /** Epoch ms, oldest first. */
  readonly ts: number[];
  readonly tempC: number[];
}

/** What a page receives first: the recent history, then live events. */
export interface LiveSnapshot {
  readonly fridges: readonly FridgeSeries[];
  readonly alerts: readonly DashboardAlert[];
}

/**
 * The dashboard's fan-out: keeps the last hours of fridge readings and the recent alerts in memory (bounded, so a
 * busy store cannot grow it), and passes every event to the pages that listen. The readings are what this gateway
 * saw since it started; fridge-temperature's own log is not read back (it has no route for it).
 */
export class LiveFeed {
  readonly #history = new Map<string, FridgeSeries>();
  readonly #alerts: DashboardAlert[] = [];
  readonly #listeners = new Set<(event: LiveEvent) => void>();
  readonly #closers = new Set<() => void>();
  #closed = false;
  readonly #historyMs: number;
  readonly #maxReadings: number;
  readonly #maxFridges: number;
  readonly #maxAlerts: number;
  readonly #now: () => number;

  constructor(options: LiveFeedOptions = {}) {
    this.#historyMs = options.historyMs ?? 6 * 3600_000;
    this.#maxReadings = options.maxReadingsPerFridge ?? 4320;
    this.#maxFridges = options.maxFridges ?? 200;
    this.#maxAlerts = options.maxAlerts ?? 100;
    this.#now = options.now ?? Date.now;
  }

  /** Records an event and passes it on; a redelivered alert (same id) is dropped. */
  publish(event: LiveEvent): void {
    if (event.type === "reading") this.#keepReading(event);
    if (event.type === "alert") {
      if (this.#alerts.some((alert) => alert.id === event.id)) return;
      this.#alerts.push(event);
      if (this.#alerts.length > this.#maxAlerts) this.#alerts.shift();
    }
    for (const listener of this.#listeners) listener(event);
  }

  /**
   * Calls `listener` with every later event, and `onClose` when the feed closes (the gateway stops: an open page
   * must not hold its drain). Returns the function that stops both.
   */
  listen(listener: (event: LiveEvent) => void, onClose: () => void = () => {}): () => void {
    if (this.#closed) {
      queueMicrotask(onClose);
      return () => {};
    }
    this.#listeners.add(listener);
    this.#closers.add(onClose);
    return () => {
      this.#listeners.delete(listener);
      this.#closers.delete(onClose);
    };
  }

  /** Ends every listener's stream, and any later one at once. */
  close(): void {
    this.#closed = true;
    const closers = [...this.#closers];
    this.#listeners.clear();
    this.#closers.clear();
    for (const close of closers) close();
  }

  get listeners(): number {
    return this.#listeners.size;
  }

  snapshot(): LiveSnapshot {
    const oldest = this.#now() - this.#historyMs;
    const fridges: FridgeSeries[] = [];
    for (const series of this.#history.values()) {
      const from = series.ts.findIndex((ts) => ts >= oldest);
      if (from < 0) continue;
      fridges.push({ ...series, ts: series.ts.slice(from), tempC: series.tempC.slice(from) });
    }
    return { fridges, alerts: [...this.#alerts] };
  }

  #keepReading(reading: FridgeReading): void {
    const key = `${reading.store}/${reading.fridge}`;
    let series = this.#history.get(key);
    if (!series) {
      if (this.#history.size >= this.#maxFridges) return;
      series = { store: reading.store, fridge: reading.fridge, ts: [], tempC: [] };
      this.#history.set(key, series);
    }
    // Readings may arrive out of order (a sensor's backlog after a reconnect): kept sorted by time.
    let at = series.ts.length;
    while (at > 0 && (series.ts[at - 1] as number) > reading.ts) at--;
    series.ts.splice(at, 0, reading.ts);
    series.tempC.splice(at, 0, reading.tempC);
    const oldest = this.#now() - this.#historyMs;
    let drop = Math.max(0, series.ts.length - this.#maxReadings);
    while (drop < series.ts.length && (series.ts[drop] as number) < oldest) drop++;
    if (drop > 0) {
      series.ts.splice(0, drop);
      series.tempC.splice(0, drop);
    }
  }
}
