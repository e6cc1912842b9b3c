import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Writable } from "node:stream";
import { FunctionPool, type PoolEvents } from "./function-pool.js";
import { type FunctionSpec, NAMESPACE } from "./function-spec.js";
import { freePort } from "./port.js";
import { containerBaseEnv, Replica } from "./replica.js";

/** Where replica output goes: the log book behind /system/logs. */
export interface ReplicaLogs {
  stream(functionName: string, instance: string): { stdout: Writable; stderr: Writable };
  note(functionName: string, instance: string, text: string): void;
}

/** Puts a function's secrets where its replica reads them; reports the ones that do not exist. */
export interface SecretMounter {
  mount(names: readonly string[], targetDir: string): { missing: string[] };
}

export interface RuntimeOptions {
  /** `$DATA_DIR`: each function's state lives in `state/<name>/`, each replica's secrets in `run/<instance>/`. */
  readonly dataDir: string;
  readonly logs: ReplicaLogs;
  readonly secrets: SecretMounter;
  readonly coldStartTimeoutMs: number;
  readonly stopGraceMs: number;
  readonly events?: PoolEvents;
  /** How often the time-based scaling decisions run; 500 ms by default. */
  readonly tickMs?: number;
  readonly hostEnv?: NodeJS.ProcessEnv;
}

/** Every function of the stack as a pool of replica processes: the local stand-in for faas-netes. */
export class FunctionRuntime {
  private readonly pools = new Map<string, FunctionPool>();
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    specs: readonly FunctionSpec[],
    private readonly options: RuntimeOptions,
  ) {
    for (const spec of specs) {
      this.pools.set(
        spec.name,
        new FunctionPool(spec, {
          startReplica: (current, instance) => this.startReplica(current, instance),
          note: (instance, text) => options.logs.note(spec.name, instance, text),
          coldStartTimeoutMs: options.coldStartTimeoutMs,
          stopGraceMs: options.stopGraceMs,
          ...(options.events ? { events: options.events } : {}),
        }),
      );
    }
  }

  start(): void {
    for (const pool of this.pools.values()) pool.start();
    this.ticker = setInterval(() => {
      for (const pool of this.pools.values()) pool.tick();
    }, this.options.tickMs ?? 500);
    this.ticker.unref();
  }

  /** The pool of `name` or `name.openfaas-fn` (OpenFaaS's `name.namespace` form); undefined if unknown. */
  get(name: string): FunctionPool | undefined {
    const suffix = `.${NAMESPACE}`;
    const bare = name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
    return this.pools.get(bare);
  }

  list(): FunctionPool[] {
    return [...this.pools.values()];
  }

  /** Stops every replica of every function; each drains its requests in flight first. */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    await Promise.all(this.list().map((pool) => pool.stop()));
  }

  private async startReplica(spec: FunctionSpec, instance: string): Promise<Replica> {
    const cwd = path.join(this.options.dataDir, "state", spec.name);
    const secretDir = path.join(this.options.dataDir, "run", instance, "secrets");
    await mkdir(cwd, { recursive: true });
    const { missing } = this.options.secrets.mount(spec.secrets, secretDir);
    for (const name of missing) {
      this.options.logs.note(
        spec.name,
        instance,
        `secret "${name}" does not exist: create it with faas-cli secret create ${name} (the function will not find it)`,
      );
    }
    const { stdout, stderr } = this.options.logs.stream(spec.name, instance);
    const replica = new Replica({
      spec,
      instance,
      port: await freePort(),
      cwd,
      secretMountPath: secretDir,
      baseEnv: containerBaseEnv(this.options.hostEnv),
      stdout,
      stderr,
    });
    void replica.exited.then(() => rm(path.dirname(secretDir), { recursive: true, force: true }));
    return replica;
  }
}
