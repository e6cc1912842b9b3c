import { type ChildProcess, spawn } from "node:child_process";
import type { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import type { FunctionSpec } from "./function-spec.js";
import { acceptsConnections } from "./port.js";

// Always the compiled file: from src/runtime (tests run the sources) and dist/runtime alike.
const EXIT_WITH_PARENT = fileURLToPath(new URL("../../dist/runtime/exit-with-parent.cjs", import.meta.url));

export type ReplicaState = "starting" | "ready" | "stopping" | "exited";

export interface ReplicaOptions {
  readonly spec: FunctionSpec;
  /** A name unique among the function's replicas, e.g. `payment-3`: the `instance` of its log lines. */
  readonly instance: string;
  readonly port: number;
  /** The working directory: the function's state folder (its default SQLite file is `data/<name>.db` in it). */
  readonly cwd: string;
  /** Where the function's secrets are mounted, as OpenFaaS mounts them under /var/openfaas/secrets. */
  readonly secretMountPath: string;
  /** What a container would also have: PATH, HOME, TZ, LANG (see `containerBaseEnv`). */
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

export interface ReplicaExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when we asked it to stop; false when it crashed or was killed by someone else. */
  readonly expected: boolean;
  /** How long it ran, in ms. */
  readonly uptimeMs: number;
}

/**
 * One process of the template's shell serving one function on its own port, as one pod of a function runs
 * on OpenFaaS. The pool decides how many there are; a replica only starts, reports readiness, counts its
 * requests in flight, and stops (SIGTERM, so the shell drains, then SIGKILL after the grace).
 */
export class Replica {
  state: ReplicaState = "starting";
  /** Requests being served now; the pool routes to the least busy replica. */
  inflight = 0;
  /** Set when the pool has replaced this replica: it finishes what it has, takes nothing new, then stops. */
  retiring = false;
  /** Kept-alive connections to this replica (undici: a hop in Node costs half of what node:http's client does). */
  readonly connections: Pool;
  readonly exited: Promise<ReplicaExit>;
  readonly startedAt = Date.now();
  private readonly child: ChildProcess;
  private stopRequested = false;
  private idleWaiters: Array<() => void> = [];

  constructor(readonly options: ReplicaOptions) {
    const { spec } = options;
    // No undici timeouts: the gateway enforces the function's exec_timeout itself, as the watchdog would.
    this.connections = new Pool(`http://127.0.0.1:${options.port}`, { headersTimeout: 0, bodyTimeout: 0 });
    this.child = spawn(spec.command.file, ["--require", EXIT_WITH_PARENT, ...spec.command.args], {
      cwd: options.cwd,
      env: {
        ...options.baseEnv,
        ...spec.imageEnv,
        ...spec.environment,
        http_port: String(options.port),
        FUNCTION_DIR: spec.handlerDir,
        secret_mount_path: options.secretMountPath,
        OPENFAAS_NAME: spec.name,
        HOSTNAME: options.instance,
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      // Its own process group: a Ctrl-C in the terminal reaches the gateway alone, which then drains and
      // stops the replicas in order (rather than each of them dying at once and being taken for a crash).
      detached: true,
    });
    this.child.stdout?.pipe(options.stdout);
    this.child.stderr?.pipe(options.stderr);
    this.exited = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        this.state = "exited";
        void this.connections.destroy();
        resolve({ code, signal, expected: this.stopRequested, uptimeMs: Date.now() - this.startedAt });
      };
      this.child.once("error", () => finish(null, null));
      this.child.once("exit", finish);
    });
  }

  get port(): number {
    return this.options.port;
  }

  get instance(): string {
    return this.options.instance;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves true once the port accepts connections, false if the process exits first or time runs out. */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.state === "starting") {
      if (await acceptsConnections(this.port, 500)) {
        if (this.state === "starting") this.state = "ready";
        break;
      }
      if (Date.now() > deadline) return false;
      await sleep(15); // a cold start is measured against a hand-started shell: poll often
    }
    return this.state === "ready";
  }

  /** Counts a request in; the caller must call the returned function exactly once when it is answered. */
  lease(): () => void {
    this.inflight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inflight -= 1;
      if (this.inflight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    };
  }

  /** Takes no new requests, waits for those in flight (up to `graceMs`), then stops the process. */
  async drainAndStop(graceMs: number): Promise<ReplicaExit> {
    if (this.state !== "exited") this.state = "stopping";
    if (this.inflight > 0) {
      await Promise.race([new Promise<void>((resolve) => this.idleWaiters.push(resolve)), sleep(graceMs)]);
    }
    return this.stop(graceMs);
  }

  /** SIGTERM (the shell drains its own connections), then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs: number): Promise<ReplicaExit> {
    this.stopRequested = true;
    if (this.state !== "exited") {
      this.state = "stopping";
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }

  /** For tests and the crash path: what `kill -9` does to a pod's process. */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/** The variables a container would have beside its image's ENV; everything else of the host stays out. */
export function containerBaseEnv(host: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "TZ", "LANG", "TMPDIR", "SYSTEMROOT"]) {
    const value = host[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
