import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { BuildContextError } from "../../gateway/src/build-context/errors.js";
import type { ShippedImage } from "./final-stage.js";

export interface ProbeOptions {
  /** What `docker run -e` would add, laid over the image's ENV; it sets the port /healthz listens on, free. */
  readonly env: Readonly<Record<string, string>>;
  /** The variable of `env` holding the port /healthz listens on; `port` (the connectors') by default. */
  readonly healthPortVariable?: string;
  /** The PATH the command is looked up on (the host's: its `node` stands for the image's). */
  readonly searchPath: string;
  /** How long to wait for /healthz to answer; 15 s by default. */
  readonly timeoutMs?: number;
  /** Run once /healthz has answered, before the command is stopped: checks that need it running. */
  readonly whileServing?: () => Promise<unknown>;
}

export interface ProbeResult {
  /** The first answer of GET /healthz. */
  readonly status: number;
  readonly body: string;
  /** How the command ended after SIGTERM: its exit code, or the signal that killed it. */
  readonly exit: number | string;
  readonly output: string;
}

/**
 * Starts `command` from the shipped image's WORKDIR, as `docker run image command` would (with only the image's
 * ENV, the probe's variables and PATH: none of the host's other variables), waits until GET /healthz on
 * 127.0.0.1 at the port in `env[healthPortVariable]` answers, whatever the status, then stops the command with
 * SIGTERM (SIGKILL after 5 s).
 * Nothing is left running, whether the probe succeeds or throws.
 */
export async function probeImageCommand(
  image: ShippedImage,
  command: readonly string[],
  options: ProbeOptions,
): Promise<ProbeResult> {
  const [file, ...args] = command;
  if (file === undefined) throw new BuildContextError("no command to start");
  const portVariable = options.healthPortVariable ?? "port";
  const port = options.env[portVariable];
  if (port === undefined) throw new BuildContextError(`the probe's env sets no ${portVariable}: which port to ask?`);
  const child = spawn(file, args, {
    cwd: image.cwd,
    env: { PATH: options.searchPath, ...image.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exit: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.once("error", (error) => {
      exit ??= `could not start: ${error.message}`;
      resolve(exit);
    });
    child.once("exit", (code, signal) => {
      exit ??= signal ?? code ?? "?";
      resolve(exit);
    });
  });

  const stop = async (): Promise<number | string> => {
    if (exit !== undefined) return exit;
    child.kill("SIGTERM");
    const grace = new AbortController();
    const killed = sleep(5_000, undefined, { signal: grace.signal }).then(
      () => child.kill("SIGKILL"),
      () => {},
    );
    const code = await exited;
    grace.abort();
    await killed;
    return code;
  };

  const url = `http://127.0.0.1:${port}/healthz`;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  try {
    for (;;) {
      if (exit !== undefined) {
        throw new BuildContextError(`"${command.join(" ")}" ended (${exit}) before /healthz answered:\n${output}`);
      }
      const answer = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
        async (response) => ({ status: response.status, body: await response.text() }),
        () => undefined, // not listening yet
      );
      if (answer !== undefined) {
        await options.whileServing?.();
        const ended = await stop();
        return { ...answer, exit: ended, output };
      }
      if (Date.now() > deadline) {
        throw new BuildContextError(`"${command.join(" ")}": ${url} did not answer in time:\n${output}`);
      }
      await sleep(100);
    }
  } finally {
    await stop();
  }
}
