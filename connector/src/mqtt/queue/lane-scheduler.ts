import { Fifo } from "./fifo.js";
import type { DeliveryRef } from "./message-queue.js";

/** What became of a lane's head: finished (the next one may run), or it must run again after `delayMs`. */
export type StepOutcome = { readonly kind: "next" } | { readonly kind: "wait"; readonly delayMs: number };

export const NEXT: StepOutcome = { kind: "next" };

export interface LaneSchedulerOptions {
  /** Steps running at once, over all lanes. */
  readonly maxInflight: number;
  /** One step of a lane's head; expected not to reject (a rejection counts as "wait `errorDelayMs`"). */
  readonly run: (head: DeliveryRef) => Promise<StepOutcome>;
  readonly errorDelayMs: number;
}

interface Lane {
  readonly key: string;
  readonly deliveries: Fifo<DeliveryRef>;
  /** idle: nothing to do; ready: in the ready list; running: its head is being stepped; waiting: a timer holds it. */
  state: "idle" | "ready" | "running" | "waiting";
  timer?: NodeJS.Timeout;
}

/**
 * Runs deliveries one lane per (topic, fn): within a lane strictly one at a time in the order added, the head
 * holding back the rest while it waits for a retry; lanes run concurrently, at most maxInflight steps in total.
 * Lanes with work take turns (a lane goes to the back of the ready list after each step), so one busy topic cannot
 * starve the others.
 */
export class LaneScheduler {
  readonly #options: LaneSchedulerOptions;
  readonly #lanes = new Map<string, Lane>();
  readonly #ready = new Fifo<Lane>();
  readonly #running = new Set<Promise<void>>();
  #pumpScheduled: NodeJS.Immediate | undefined;
  #stopping = false;

  constructor(options: LaneSchedulerOptions) {
    this.#options = options;
  }

  /** Steps running now. */
  get inflight(): number {
    return this.#running.size;
  }

  /** Appends a delivery to its lane; it runs on a later turn of the event loop, never inside this call. */
  add(delivery: DeliveryRef): void {
    if (this.#stopping) return;
    // MQTT topics cannot contain U+0000, so the separator cannot make two lanes one.
    const key = `${delivery.fn}\u0000${delivery.topic}`;
    let lane = this.#lanes.get(key);
    if (lane === undefined) {
      lane = { key, deliveries: new Fifo(), state: "idle" };
      this.#lanes.set(key, lane);
    }
    lane.deliveries.push(delivery);
    if (lane.state === "idle") this.#makeReady(lane);
  }

  /** Looks for work soon. */
  wake(): void {
    if (this.#stopping) return;
    this.#pumpScheduled ??= setImmediate(() => {
      this.#pumpScheduled = undefined;
      this.#pump();
    });
  }

  /** Starts nothing more, and waits up to graceMs for the running steps; resolves with how many still run. */
  async stop(graceMs: number): Promise<number> {
    this.#stopping = true;
    if (this.#pumpScheduled !== undefined) clearImmediate(this.#pumpScheduled);
    this.#pumpScheduled = undefined;
    for (const lane of this.#lanes.values()) clearTimeout(lane.timer);
    if (this.#running.size > 0) {
      let graceTimer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => {
        graceTimer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.allSettled([...this.#running]), graceOver]);
      clearTimeout(graceTimer);
    }
    return this.#running.size;
  }

  #makeReady(lane: Lane): void {
    lane.state = "ready";
    this.#ready.push(lane);
    this.wake();
  }

  #pump(): void {
    while (!this.#stopping && this.#running.size < this.#options.maxInflight) {
      const lane = this.#ready.shift();
      if (lane === undefined) return;
      this.#start(lane);
    }
  }

  #start(lane: Lane): void {
    const head = lane.deliveries.peek();
    if (head === undefined) {
      this.#retire(lane);
      return;
    }
    lane.state = "running";
    const step: Promise<void> = this.#options
      .run(head)
      .catch((): StepOutcome => ({ kind: "wait", delayMs: this.#options.errorDelayMs }))
      .then((outcome) => {
        this.#running.delete(step);
        this.#settle(lane, outcome);
      });
    this.#running.add(step);
  }

  #settle(lane: Lane, outcome: StepOutcome): void {
    // Once stopping, outcomes change nothing: whatever was not finished is still stored and runs after a restart.
    if (this.#stopping) return;
    if (outcome.kind === "wait" && outcome.delayMs > 0) {
      lane.state = "waiting";
      lane.timer = setTimeout(() => {
        lane.timer = undefined;
        this.#makeReady(lane);
      }, outcome.delayMs);
      // The MQTT connection keeps the connector alive; a pending retry alone must not.
      lane.timer.unref();
    } else {
      if (outcome.kind === "next") lane.deliveries.shift();
      if (lane.deliveries.length > 0) this.#makeReady(lane);
      else this.#retire(lane);
    }
    this.#pump();
  }

  /** An empty lane is forgotten: topics come and go, and the map must not grow with every topic ever seen. */
  #retire(lane: Lane): void {
    lane.state = "idle";
    this.#lanes.delete(lane.key);
  }
}
