import { execFile } from "node:child_process";
import { BuildContextError } from "../../gateway/src/build-context/errors.js";
import type { ShippedImage } from "./final-stage.js";

export interface RunOptions {
  /** What `docker run -e` would add, laid over the image's ENV. */
  readonly env: Readonly<Record<string, string>>;
  /** The PATH the command is looked up on (the host's: its `node` stands for the image's). */
  readonly searchPath: string;
  /** The command is killed after this long; 15 s by default. */
  readonly timeoutMs?: number;
}

export interface RunResult {
  /** The exit code, or the signal that ended the command. */
  readonly exit: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command that ends by itself (a CLI, not a server) from the shipped image's WORKDIR, as
 * `docker run --rm image command` would: with only the image's ENV, the given variables and PATH. A non-zero exit
 * is returned, not thrown, for the caller to check; a command that does not end in time is killed and throws.
 */
export async function runImageCommand(
  image: ShippedImage,
  command: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const [file, ...args] = command;
  if (file === undefined) throw new BuildContextError("no command to run");
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        cwd: image.cwd,
        env: { PATH: options.searchPath, ...image.env, ...options.env },
        timeout: timeoutMs,
        killSignal: "SIGKILL",
        maxBuffer: 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ exit: 0, stdout, stderr });
        } else if (error.killed) {
          reject(new BuildContextError(`"${command.join(" ")}" did not end within ${timeoutMs} ms:\n${stderr}`));
        } else if (typeof error.code === "number" || error.signal) {
          resolve({ exit: typeof error.code === "number" ? error.code : (error.signal ?? "?"), stdout, stderr });
        } else {
          reject(new BuildContextError(`"${command.join(" ")}" could not start: ${error.message}`));
        }
      },
    );
  });
}
