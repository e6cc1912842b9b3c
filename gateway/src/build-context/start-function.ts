import { type ChildProcess, spawn } from "node:child_process";
import type { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { acceptsConnections } from "../runtime/port.js";
import { BuildContextError } from "./errors.js";

export interface StartOptions {
  /** Passed as `http_port`, the port the template's shell listens on. */
  readonly port: number;
  /** The environment the Dockerfile ENV is laid over (PATH picks the `node` that runs); `process.env` by default. */
  readonly hostEnv?: NodeJS.ProcessEnv;
  /** How long to wait for the port to accept connections; 15 s by default. */
  readonly timeoutMs?: number;
  readonly stdout?: Writable;
  readonly stderr?: Writable;
}

export interface RunningFunction {
  readonly child: ChildProcess;
  readonly url: string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts a natively built function the way of-watchdog (mode=http) starts it in the image: `fprocess` split
 * on single spaces (of-watchdog does no shell quoting), from the context folder (the image's /home/app), with
 * the host environment plus the Dockerfile's ENV plus `http_port`. Resolves once the port accepts
 * connections; if the process exits first or the wait times out, it is killed and the promise rejects.
 */
export async function startBuiltFunction(
  ctxDir: string,
  env: Readonly<Record<string, string>>,
  options: StartOptions,
): Promise<RunningFunction> {
  const fprocess = env.fprocess ?? env.function_process;
  if (!fprocess) throw new BuildContextError("the Dockerfile's ENV sets no fprocess");
  const [file, ...args] = fprocess.split(" ");
  const child = spawn(file as string, args, {
    cwd: ctxDir,
    env: { ...(options.hostEnv ?? process.env), ...env, http_port: String(options.port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let recent = "";
  const remember = (chunk: Buffer) => {
    recent = (recent + chunk.toString()).slice(-2000);
  };
  child.stdout?.on("data", remember).pipe(options.stdout ?? process.stdout, { end: false });
  child.stderr?.on("data", remember).pipe(options.stderr ?? process.stderr, { end: false });
  let outcome: string | undefined;
  const exited = new Promise<void>((resolve) => {
    const finish = (how: string) => {
      outcome ??= how;
      resolve();
    };
    child.once("error", (error) => finish(`could not start: ${error.message}`));
    child.once("exit", (code, signal) => finish(signal ? `was killed by ${signal}` : `exited with code ${code}`));
  });
  const stop = async () => {
    if (outcome !== undefined) return;
    child.kill("SIGTERM");
    const grace = new AbortController();
    const gone = await Promise.race([
      exited.then(() => true),
      sleep(5000, undefined, { signal: grace.signal }).then(
        () => false,
        () => false,
      ),
    ]);
    grace.abort(); // no timer left to hold the event loop open
    if (!gone) child.kill("SIGKILL");
    await exited;
  };

  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  while (outcome === undefined) {
    if (await acceptsConnections(options.port)) return { child, url: `http://127.0.0.1:${options.port}`, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new BuildContextError(
        `"${fprocess}" did not listen on port ${options.port} within ${timeoutMs} ms\n${recent}`,
      );
    }
    await sleep(100);
  }
  throw new BuildContextError(`"${fprocess}" ${outcome} before listening on port ${options.port}\n${recent}`);
}
