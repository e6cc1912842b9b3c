import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const templateRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The compiled shell entry (`npm run build` writes it), as the template's fprocess runs it. */
export const shellMain = join(templateRoot, "dist", "main.js");
export const fixture = (name: string) => join(templateRoot, "test", "fixtures", name);

export interface ShellProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the exit code (bounded: kills the process after `timeoutMs`). */
  exited(timeoutMs?: number): Promise<number | null>;
}

/** Starts `node dist/main.js` for a function folder on a free port and waits for its "listening" line. */
export async function spawnShell(functionDir: string, env: Record<string, string> = {}): Promise<ShellProcess> {
  const child = spawn(process.execPath, [shellMain], {
    env: { PATH: process.env.PATH ?? "", ...env, FUNCTION_DIR: functionDir, http_port: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (text: string) => stderr.push(...text.split("\n").filter(Boolean)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`shell did not start: ${stderr.join("\n")}`)), 10_000);
    child.stdout?.setEncoding("utf8").on("data", (text: string) => {
      for (const line of text.split("\n").filter(Boolean)) {
        stdout.push(line);
        const match = /listening on port: (\d+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`shell exited with ${code}: ${stderr.join("\n")}`));
    });
  });
  const exit = once(child, "exit").then(([code]) => code as number | null);
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    stdout,
    stderr,
    async exited(timeoutMs = 10_000) {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs the shell to its exit (for start-up failures) and returns the exit code and stderr. */
export async function runShellToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [shellMain], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const [code] = await once(child, "exit");
  clearTimeout(timer);
  return { code: code as number | null, stderr };
}
