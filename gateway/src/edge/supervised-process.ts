import { type ChildProcess, spawn } from "node:child_process";
import { createLineSplitter } from "../logs/line-splitter.js";

export interface SupervisedOptions {
  /** Shown before each of its lines, e.g. `cron-connector`. */
  readonly name: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly write: (line: string) => void;
}

/** Restart backoff after a crash: 1 s doubling to 30 s. */
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

/**
 * A companion process of `coffee-edge up` (a connector): its output printed with its name, restarted with backoff
 * when it ends without being asked to, stopped with SIGTERM (SIGKILL after the grace).
 */
export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private backoffMs = FIRST_BACKOFF_MS;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SupervisedOptions) {}

  start(): void {
    if (this.stopping) return;
    const { name, write } = this.options;
    const startedAt = Date.now();
    const child = spawn(this.options.file, [...this.options.args], {
      env: this.options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    const lines = () => createLineSplitter((line) => write(`${name} | ${line}\n`));
    child.stdout?.pipe(lines());
    child.stderr?.pipe(lines());
    child.once("error", (error) => write(`gateway | cannot start ${name}: ${error.message}\n`));
    child.once("exit", (code, signal) => {
      this.child = undefined;
      if (this.stopping) return;
      if (Date.now() - startedAt > 60_000) this.backoffMs = FIRST_BACKOFF_MS;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      write(`gateway | ${name} ${how}; restarting in ${(this.backoffMs / 1000).toFixed(0)} s\n`);
      this.restartTimer = setTimeout(() => this.start(), this.backoffMs);
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    });
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
