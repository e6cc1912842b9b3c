import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freePort } from "../../../gateway/src/runtime/port.js";

const BIN = fileURLToPath(new URL("../../bin/", import.meta.url));

export interface ConnectorProcess {
  readonly child: ChildProcess;
  readonly healthUrl: string;
  output(): string;
  readonly exited: Promise<number | string>;
  /** Resolves once /healthz answers 200; fails with the output if the process exits or time runs out. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** SIGTERM and wait; SIGKILL after 10 s. */
  stop(): Promise<number | string>;
}

/** Runs `mqtt-connector` or `cron-connector` (compiled) with `env` and a free health port. */
export async function startConnector(kind: "mqtt" | "cron", env: Record<string, string>): Promise<ConnectorProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [`${BIN}${kind}-connector.js`], {
    env: { PATH: process.env.PATH ?? "", port: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
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
  const healthUrl = `http://127.0.0.1:${port}/healthz`;
  return {
    child,
    healthUrl,
    output: () => text,
    exited,
    async waitReady(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (ended) throw new Error(`the connector exited:\n${text.slice(-3000)}`);
        try {
          if ((await fetch(healthUrl, { signal: AbortSignal.timeout(1000) })).status === 200) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline)
          throw new Error(`the connector was not ready within ${timeoutMs} ms:\n${text.slice(-3000)}`);
        await sleep(50);
      }
    },
    async stop() {
      if (!ended) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
}
