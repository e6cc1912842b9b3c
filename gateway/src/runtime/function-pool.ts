import { FunctionBusyError, FunctionUnavailableError } from "./errors.js";
import type { FunctionSpec } from "./function-spec.js";
import type { Replica, ReplicaExit } from "./replica.js";

/** A replica the caller may send one request to; `release` must be called once it is answered. */
export interface Lease {
  readonly replica: Replica;
  release(): void;
}

export interface PoolEvents {
  /** A request found no replica and waited for one to start: how long, and whether it got one. */
  coldStart?(fn: string, seconds: number, ok: boolean): void;
  /** A replica ended without being asked to; it is restarted after `backoffMs`. */
  crashed?(fn: string, instance: string, exit: ReplicaExit, backoffMs: number): void;
}

export interface PoolOptions {
  /** Starts one replica process of the function (the runtime picks the port and the folders). */
  readonly startReplica: (spec: FunctionSpec, instance: string) => Promise<Replica>;
  /** Writes a line of the gateway's own about this function into its logs. */
  readonly note: (instance: string, text: string) => void;
  readonly coldStartTimeoutMs: number;
  /** How long a stopping replica may take to finish its requests and exit. */
  readonly stopGraceMs: number;
  readonly events?: PoolEvents;
  readonly now?: () => number;
}

/** Restart backoff after a crash: 0.5 s doubling to 30 s; a replica that ran a minute resets it. */
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const STABLE_AFTER_MS = 60_000;

/**
 * The replicas of one function and the decisions about them: how many should run (min at start, more
 * under load up to max, back down after the down window, none after `zero-duration` idle when allowed),
 * which one takes a request (the least busy ready one, within `max_inflight`), and what happens when one
 * crashes (restart with backoff). `desired` is what /system/functions reports as `replicas`.
 */
export class FunctionPool {
  private readonly replicas = new Set<Replica>();
  private desiredCount = 0;
  private waiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  private lastActivity: number;
  private lowLoadSince: number | undefined;
  private crashes = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private nextInstance = 1;
  private stopped = false;
  private inflightTotal = 0;
  private pendingStarts = 0;
  /** Requests that arrive before `start()` (the gateway listens while handlers still compile) wait for it. */
  private readonly startGate = gate();

  constructor(
    private currentSpec: FunctionSpec,
    private readonly options: PoolOptions,
  ) {
    this.lastActivity = this.now();
  }

  get spec(): FunctionSpec {
    return this.currentSpec;
  }

  /** `replicas` of the function status: how many replicas are wanted now. */
  get desired(): number {
    return this.desiredCount;
  }

  /** `availableReplicas`: replicas ready to take a request. */
  get available(): number {
    let ready = 0;
    for (const replica of this.replicas) if (replica.state === "ready" && !replica.retiring) ready += 1;
    return ready;
  }

  get inflight(): number {
    return this.inflightTotal;
  }

  /** The live replicas, for logs and tests. */
  list(): Replica[] {
    return [...this.replicas];
  }

  /** Starts `min` replicas, as OpenFaaS does on deploy (a function with scale-to-zero scales down later). */
  start(): void {
    this.desiredCount = this.currentSpec.scale.min;
    this.reconcile();
    this.startGate.resolve();
  }

  /**
   * A replica for one request. With none running (scaled to zero, or all crashed) it starts `min` and waits,
   * as OpenFaaS's scale-from-zero does, so the call succeeds late rather than failing.
   */
  async acquire(): Promise<Lease> {
    await this.startGate.promise;
    if (this.stopped) throw new FunctionUnavailableError(`${this.currentSpec.name} is stopping`);
    this.lastActivity = this.now();
    let replica = this.pickReady();
    if (!replica) {
      const started = this.now();
      if (this.desiredCount === 0) {
        this.desiredCount = this.currentSpec.scale.min;
        this.reconcile();
      }
      try {
        await this.waitForReady();
      } catch (error) {
        this.options.events?.coldStart?.(this.currentSpec.name, (this.now() - started) / 1000, false);
        throw error;
      }
      this.options.events?.coldStart?.(this.currentSpec.name, (this.now() - started) / 1000, true);
      replica = this.pickReady();
      if (!replica) throw new FunctionUnavailableError(`${this.currentSpec.name} has no ready replica`);
    }
    const { maxInflight } = this.currentSpec;
    if (maxInflight > 0 && replica.inflight >= maxInflight) {
      this.scaleForLoad(this.inflightTotal + 1);
      throw new FunctionBusyError(maxInflight);
    }
    const releaseReplica = replica.lease();
    this.inflightTotal += 1;
    this.scaleForLoad(this.inflightTotal);
    let released = false;
    return {
      replica,
      release: () => {
        if (released) return;
        released = true;
        releaseReplica();
        this.inflightTotal -= 1;
        this.lastActivity = this.now();
      },
    };
  }

  /**
   * The periodic decisions that need time to pass: scale down after load stayed low for the down window,
   * and to zero after `zero-duration` without a request.
   */
  tick(): void {
    if (this.stopped) return;
    const { scale } = this.currentSpec;
    const now = this.now();
    if (
      scale.zero &&
      this.desiredCount > 0 &&
      this.inflightTotal === 0 &&
      now - this.lastActivity >= scale.zeroDurationMs
    ) {
      this.options.note("gateway", `idle for ${Math.round((now - this.lastActivity) / 1000)} s: scaling to zero`);
      this.setDesired(0);
      return;
    }
    const wanted = this.wantedFor(this.inflightTotal);
    if (wanted < this.desiredCount && this.desiredCount > 0) {
      this.lowLoadSince ??= now;
      if (now - this.lowLoadSince >= scale.downWindowMs) this.setDesired(wanted);
    } else {
      this.lowLoadSince = undefined;
    }
  }

  /** `/system/scale-function`: set the replica count (clamped to 0..max); the autoscaler carries on from it. */
  scaleTo(replicas: number): number {
    const count = Math.max(0, Math.min(this.currentSpec.scale.max, Math.floor(replicas)));
    this.lastActivity = this.now();
    this.setDesired(count);
    return count;
  }

  /**
   * Replaces every replica with one of `spec` (a rebuilt handler, an update through the API): new replicas
   * start first, and the old ones finish their requests and stop once a new one is ready.
   */
  replace(spec: FunctionSpec = this.currentSpec): void {
    this.currentSpec = spec;
    for (const replica of this.replicas) replica.retiring = true;
    if (this.desiredCount === 0) this.retireOld();
    else this.desiredCount = Math.min(Math.max(this.desiredCount, spec.scale.min), spec.scale.max);
    this.reconcile();
  }

  /** Stops every replica (each drains its requests first) and rejects whoever waits for one. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.desiredCount = 0;
    this.startGate.resolve();
    clearTimeout(this.restartTimer);
    for (const waiter of this.waiters)
      waiter.reject(new FunctionUnavailableError(`${this.currentSpec.name} is stopping`));
    this.waiters.clear();
    await Promise.all([...this.replicas].map((replica) => replica.drainAndStop(this.options.stopGraceMs)));
  }

  private setDesired(count: number): void {
    this.lowLoadSince = undefined;
    this.desiredCount = count;
    this.reconcile();
  }

  private wantedFor(inflight: number): number {
    const { min, max, target } = this.currentSpec.scale;
    return Math.max(min, Math.min(max, Math.ceil(inflight / target)));
  }

  /** Scaling up answers load at once; scaling down waits (see `tick`). */
  private scaleForLoad(inflight: number): void {
    const wanted = this.wantedFor(inflight);
    if (wanted > this.desiredCount) this.setDesired(wanted);
  }

  private pickReady(): Replica | undefined {
    let best: Replica | undefined;
    for (const replica of this.replicas) {
      if (replica.state !== "ready") continue;
      // A retiring replica still serves until a new one is ready, so a rebuild never gives a 502.
      const rank = (r: Replica) => (r.retiring ? 1 : 0);
      if (!best || rank(replica) < rank(best) || (rank(replica) === rank(best) && replica.inflight < best.inflight)) {
        best = replica;
      }
    }
    return best;
  }

  private liveReplicas(): Replica[] {
    return [...this.replicas].filter((r) => !r.retiring && (r.state === "starting" || r.state === "ready"));
  }

  /** Starts or stops replicas until the live ones match `desired` (no start while a crash backoff runs). */
  private reconcile(): void {
    if (this.stopped) return;
    const live = this.liveReplicas();
    let missing = this.desiredCount - live.length - this.pendingStarts;
    while (missing > 0 && this.restartTimer === undefined) {
      missing -= 1;
      void this.spawn();
    }
    if (live.length > this.desiredCount) {
      // Stop the least useful first: those still starting, then the least busy.
      const victims = live
        .sort((a, b) => Number(a.state === "ready") - Number(b.state === "ready") || a.inflight - b.inflight)
        .slice(0, live.length - this.desiredCount);
      for (const replica of victims) {
        this.options.note(replica.instance, "scaling down: stopping this replica");
        void replica.drainAndStop(this.options.stopGraceMs);
      }
    }
  }

  private async spawn(): Promise<void> {
    const instance = `${this.currentSpec.name}-${this.nextInstance++}`;
    this.pendingStarts += 1;
    let replica: Replica;
    try {
      replica = await this.options.startReplica(this.currentSpec, instance);
    } catch (error) {
      this.pendingStarts -= 1;
      this.onCrash(instance, { code: null, signal: null, expected: false, uptimeMs: 0 }, (error as Error).message);
      return;
    }
    this.pendingStarts -= 1;
    this.replicas.add(replica);
    void replica.exited.then((exit) => this.onExit(replica, exit));
    if (this.stopped) {
      void replica.stop(this.options.stopGraceMs);
      return;
    }
    const ready = await replica.waitUntilReady(this.options.coldStartTimeoutMs);
    if (!ready) {
      if (replica.state !== "exited") {
        this.options.note(instance, `not listening after ${this.options.coldStartTimeoutMs} ms: stopping it`);
        void replica.stop(this.options.stopGraceMs);
      }
      return;
    }
    this.options.note(instance, `ready on port ${replica.port}`);
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
    this.retireOld();
  }

  /** Once a current replica is ready, the retiring ones finish their requests and stop. */
  private retireOld(): void {
    const hasCurrent = this.available > 0 || this.desiredCount === 0;
    if (!hasCurrent) return;
    for (const replica of this.replicas) {
      if (replica.retiring && replica.state !== "stopping" && replica.state !== "exited") {
        void replica.drainAndStop(this.options.stopGraceMs);
      }
    }
  }

  private onExit(replica: Replica, exit: ReplicaExit): void {
    this.replicas.delete(replica);
    if (exit.expected || this.stopped || replica.retiring) {
      this.reconcile();
      return;
    }
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    this.onCrash(replica.instance, exit, how);
  }

  private onCrash(instance: string, exit: ReplicaExit, how: string): void {
    if (exit.uptimeMs >= STABLE_AFTER_MS) this.crashes = 0;
    this.crashes += 1;
    const backoffMs = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (this.crashes - 1));
    this.options.note(instance, `${how}; restarting in ${(backoffMs / 1000).toFixed(1)} s`);
    this.options.events?.crashed?.(this.currentSpec.name, instance, exit, backoffMs);
    // Whoever waits for a start would otherwise wait out the whole cold-start timeout for a crash loop.
    if (this.available === 0) {
      const error = new FunctionUnavailableError(
        `${this.currentSpec.name} ${how} before it was ready (see GET /system/logs?name=${this.currentSpec.name})`,
      );
      for (const waiter of this.waiters) waiter.reject(error);
      this.waiters.clear();
    }
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.reconcile();
    }, backoffMs);
    this.restartTimer.unref();
  }

  private waitForReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new FunctionUnavailableError(
            `${this.currentSpec.name} did not become ready within ${this.options.coldStartTimeoutMs} ms`,
          ),
        );
      }, this.options.coldStartTimeoutMs);
      this.waiters.add(waiter);
    });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

/** A promise to wait on and the function that opens it (Promise.withResolvers, which Node 20 lacks). */
function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((open) => {
    resolve = open;
  });
  return { promise, resolve };
}
