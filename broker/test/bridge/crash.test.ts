import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { MqttClient } from "mqtt";
import { afterEach, beforeAll, expect, it } from "vitest";
import type { Mosquitto } from "../../../gateway/test/support/mosquitto.js";
import {
  connectClient,
  endClients,
  FIXTURES,
  firstArrivals,
  freePort,
  publishSequence,
  REPO_ROOT,
  range,
  removeTempDirs,
  STORE_ID,
  startCentral,
  tempDir,
  waitFor,
  watchCentral,
  withTimeout,
} from "./helpers.js";

const SOURCES = path.join(REPO_ROOT, "broker/src/bridge");
const COMPILED = path.join(REPO_ROOT, "broker/dist/bridge");
const TOTAL = 5000;
const QUEUED_BEFORE_CENTRAL = 3000;
const RECEIVED_BEFORE_KILL = 300;
const START_MS = 10_000;

const children: ChildProcess[] = [];
let central: Mosquitto | undefined;
const clients: MqttClient[] = [];

beforeAll(() => {
  // The fixture runs the compiled bridge: a missing or stale build would test something else.
  for (const source of readdirSync(SOURCES).filter((name) => name.endsWith(".ts"))) {
    const compiled = path.join(COMPILED, source.replace(/\.ts$/, ".js"));
    if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(path.join(SOURCES, source)).mtimeMs) {
      throw new Error(`${compiled} is missing or older than its source: build with \`npx tsc -b broker\` first`);
    }
  }
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  await endClients(clients.splice(0));
  await central?.stop();
  central = undefined;
  await removeTempDirs();
});

interface BridgeProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly depthAtStart: number;
  stderr(): string;
}

/** Starts the fixture and resolves on its "ready <port> <depth>" line. */
function startBridgeProcess(outboxFile: string, centralUrl: string, localPort: number): Promise<BridgeProcess> {
  const child = spawn(process.execPath, [path.join(FIXTURES, "bridge-process.mjs")], {
    env: { ...process.env, OUTBOX_FILE: outboxFile, CENTRAL_URL: centralUrl, LOCAL_PORT: String(localPort) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  return new Promise((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => reject(new Error(`the bridge process did not start: ${stderr}`)), START_MS);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = /^ready (\d+) (\d+)$/m.exec(stdout);
      if (!ready) return;
      clearTimeout(timer);
      resolve({ child, port: Number(ready[1]), depthAtStart: Number(ready[2]), stderr: () => stderr });
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the bridge process exited (${code ?? signal}) before it was ready: ${stderr}`));
    });
  });
}

function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGKILL");
  return exited;
}

it("the bridge process killed with SIGKILL mid-way and restarted on the same outbox: nothing is lost", async () => {
  const centralPort = await freePort();
  const centralDir = await tempDir();
  const watcher = await watchCentral(centralDir, centralPort, `stores/${STORE_ID}/#`);
  clients.push(watcher.client);
  const centralUrl = `mqtt://127.0.0.1:${centralPort}`;
  const outboxFile = path.join(await tempDir(), "outbox.db");
  const topic = `store/${STORE_ID}/fridge-1/temp`;

  // 1. Central down: the first 3,000 are acknowledged locally and wait in the outbox.
  const first = await startBridgeProcess(outboxFile, centralUrl, 0);
  const device = await connectClient(`mqtt://127.0.0.1:${first.port}`, { clientId: "fridge-1", clean: false });
  clients.push(device);
  await publishSequence(device, topic, range(QUEUED_BEFORE_CENTRAL), { batch: 100 });

  // 2. Central up: the backlog starts to flow while the device goes on publishing; SIGKILL mid-way.
  central = await startCentral(centralDir, centralPort);
  const rest = range(TOTAL - QUEUED_BEFORE_CENTRAL, QUEUED_BEFORE_CENTRAL);
  const publishingRest = publishSequence(device, topic, rest, { batch: 50, pauseMs: 20 });
  await waitFor("the first messages at central", () => watcher.received.distinct.size >= RECEIVED_BEFORE_KILL, 10_000);
  await killHard(first.child);
  const atKill = watcher.received.distinct.size;

  // 3. Restarted on the same outbox and port: the device reconnects and re-sends what it had in flight.
  const restarted = await startBridgeProcess(outboxFile, centralUrl, first.port);
  expect(restarted.depthAtStart).toBeGreaterThan(0);
  await withTimeout(publishingRest, 15_000, "the device's last PUBACKs");
  await waitFor("all 5,000 at central", () => watcher.received.distinct.size >= TOTAL, 15_000).catch((error) => {
    const missing = range(TOTAL).filter((seq) => !watcher.received.distinct.has(seq));
    const sample = `${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`;
    throw new Error(`${(error as Error).message}: ${missing.length} missing (${sample})\n${restarted.stderr()}`);
  });

  expect(firstArrivals(watcher.received.arrivals)).toEqual(range(TOTAL));
  const duplicates = watcher.received.arrivals.length - TOTAL;
  console.log(
    `[bridge SIGKILL] killed after ${atKill} had arrived at central; ${restarted.depthAtStart} message(s) ` +
      `were still in the outbox at the restart; all ${TOTAL} arrived in order, ${duplicates} duplicate(s) (at least once)`,
  );
}, 45_000);
