import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { freePort } from "../../src/runtime/port.js";
import { REPO_ROOT, waitFor } from "./support.js";

export interface ChildEdge {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
}

export { freePort };

/** Runs `command` (e.g. `node gateway/bin/coffee-edge.js up`) from `cwd` as its own process group, output kept. */
export function spawnEdge(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  port: number,
): ChildEdge {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  let ended = false;
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => {
      ended = true;
      resolve(code ?? signal ?? "?");
    }),
  );
  return { child, url: `http://127.0.0.1:${port}`, output: () => text, exited, hasExited: () => ended };
}

export const COFFEE_EDGE = path.join(REPO_ROOT, "gateway", "bin", "coffee-edge.js");

/** Waits until `name` answers through the gateway (its replica is up). */
export async function waitUntilServing(edge: ChildEdge, name: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${name} answering through ${edge.url}\n${edge.output().slice(-3000)}`,
    async () => {
      if (edge.hasExited()) throw new Error(`the edge exited before ${name} answered:\n${edge.output().slice(-3000)}`);
      try {
        return (await fetch(`${edge.url}/function/${name}`, { signal: AbortSignal.timeout(2000) })).status === 200;
      } catch {
        return false;
      }
    },
    timeoutMs,
  );
}

export async function basicAuth(dataDir: string): Promise<string> {
  const password = (await readFile(path.join(dataDir, "secrets", "basic-auth-password"), "utf8")).trim();
  return `Basic ${Buffer.from(`admin:${password}`).toString("base64")}`;
}

/** Ends a child edge and whatever is left of its process group (the test's own cleanup, not what is tested). */
export function killGroup(edge: ChildEdge | undefined): void {
  if (!edge?.child.pid) return;
  try {
    process.kill(-edge.child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}
