import { spawn } from "node:child_process";
import type { Writable } from "node:stream";
import type { CommandForm } from "./dockerfile.js";

export interface StepOutput {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

export interface StepOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly output: StepOutput;
  /** Aborting kills the step and everything it started, then rejects, so the caller can clean up. */
  readonly signal?: AbortSignal;
}

export interface StepResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Runs one RUN step as Docker would inside the image: the shell form through `/bin/sh -c`, the exec form
 * directly, in `cwd` with exactly `env`. Output is streamed as it comes; resolves once the step has exited
 * and its output is flushed, whatever the exit code (the caller decides what a failure means).
 *
 * The step runs in its own process group so that an abort can stop all of it: `/bin/sh` (dash) does not
 * pass a SIGTERM on, and an `npm install` left running would keep writing into the context.
 */
export function runStep(command: CommandForm, options: StepOptions): Promise<StepResult> {
  const [file, ...args] = command.form === "shell" ? ["/bin/sh", "-c", command.command] : command.args;
  const { signal } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(file as string, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const stopGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // the group has already exited
      }
    };
    signal?.addEventListener("abort", stopGroup, { once: true });
    if (signal?.aborted) stopGroup();
    child.stdout.pipe(options.output.stdout, { end: false });
    child.stderr.pipe(options.output.stderr, { end: false });
    child.once("error", reject);
    // "close" waits for every process holding the output pipes, i.e. the whole step.
    child.once("close", (code, exitSignal) => {
      signal?.removeEventListener("abort", stopGroup);
      if (signal?.aborted) reject(signal.reason);
      else resolve({ code, signal: exitSignal });
    });
  });
}
