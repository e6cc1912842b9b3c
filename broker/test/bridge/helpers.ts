import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Aedes } from "aedes";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { type Mosquitto, startMosquitto } from "../../../gateway/test/support/mosquitto.js";
import type { Bridge } from "../../src/bridge/bridge.js";
import type { BridgeLogger } from "../../src/bridge/logger.js";
import type { Outbox, QoS } from "../../src/bridge/outbox.js";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** The store every bridge test plays. */
export const STORE_ID = "store042";

const tempDirs: string[] = [];

/** A fresh temp folder, removed by removeTempDirs(). */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "coffee-edge-bridge-"));
  tempDirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export interface LogLine {
  readonly level: "info" | "warn";
  readonly msg: string;
  readonly fields?: Record<string, unknown>;
}

export function recordingLogger(): BridgeLogger & { readonly lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const record = (level: LogLine["level"]) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push(fields === undefined ? { level, msg } : { level, msg, fields });
  };
  return {
    lines,
    info: record("info"),
    warn: record("warn"),
    text: () => lines.map((line) => `${line.level} ${line.msg} ${JSON.stringify(line.fields ?? {})}`).join("\n"),
  };
}

/** Polls until `condition` holds, or fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `promise`, or a failure naming `what` after `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A TCP port that was free a moment ago (for a broker that must come back on the same port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free TCP port");
  return address.port;
}

/**
 * The central broker: Mosquitto on `port`, with persistence in `dir` (so a persistent subscriber's session and
 * the messages queued for it survive a stop and start) and no limit on queued messages (Mosquitto's default of
 * 1000 would drop messages the test counts).
 */
export function startCentral(dir: string, port?: number): Promise<Mosquitto> {
  return startMosquitto({
    ...(port === undefined ? {} : { port }),
    config: [
      runAsUs(),
      "persistence true",
      `persistence_location ${dir}${path.sep}`,
      "max_queued_messages 0",
      "max_queued_bytes 0",
    ],
  });
}

/**
 * Started as root, Mosquitto switches to the `mosquitto` user, which cannot write our temp folders (0700): it
 * would then lose its persistence without failing. Naming the current user keeps it; ignored when not root.
 */
export function runAsUs(): string {
  return `user ${os.userInfo().username}`;
}

export interface CentralWatcher {
  readonly client: MqttClient;
  readonly received: SequenceRecorder;
}

/**
 * A persistent-session subscriber (QoS 1) at the central broker on `port`, subscribed while a first Mosquitto ran
 * there; that Mosquitto is stopped again before this returns. Whatever a later Mosquitto on the same port and
 * `dir` receives is queued for it and delivered, however quickly the bridge gets there first.
 */
export async function watchCentral(dir: string, port: number, filter: string): Promise<CentralWatcher> {
  const central = await startCentral(dir, port);
  const received = sequenceRecorder();
  let client: MqttClient | undefined;
  try {
    client = await connectClient(central.url, { clientId: "central-watcher", clean: false });
    client.on("message", (_topic, payload) => received.record(payload));
    await client.subscribeAsync(filter, { qos: 1 });
  } catch (error) {
    client?.end(true);
    throw error;
  } finally {
    await central.stop();
  }
  if (!existsSync(path.join(dir, "mosquitto.db"))) {
    client.end(true);
    throw new Error(`Mosquitto saved no session in ${dir}: the watcher would miss messages\n${central.log()}`);
  }
  return { client, received };
}

export interface LocalBroker {
  readonly aedes: Aedes;
  readonly port: number;
  /** Publishes as the broker itself (what the bridge's localPublish does in the edge broker). */
  publish(topic: string, payload: Buffer, qos: QoS): Promise<void>;
  close(): Promise<void>;
}

/**
 * An in-process aedes on 127.0.0.1 (in-memory persistence). `onPublished` gets every client's publish in aedes's
 * `authorizePublish` hook: aedes 1.2.0 writes a QoS 1 PUBACK before it publishes (before its `published` hook and
 * "publish" event), and this hook is the last step before that PUBACK. With `includeBrokerPublishes`, the broker's
 * own publishes (which skip authorization) are passed on too, from `published`.
 */
export async function startLocalBroker(
  onPublished: (packet: { topic: string; payload: Buffer | string; qos: QoS }) => void,
  includeBrokerPublishes = false,
): Promise<LocalBroker> {
  const { Aedes } = await import("aedes");
  const aedes = await Aedes.createBroker({
    authorizePublish(client, packet, done) {
      if (client !== null) onPublished(packet);
      done(null);
    },
    published(packet, client, done) {
      // aedes's types say Client, but its own publishes (and $SYS ones) come with null.
      if (client === null && includeBrokerPublishes && !packet.topic.startsWith("$SYS/")) onPublished(packet);
      done();
    },
  });
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the local broker has no port");
  return {
    aedes,
    port: address.port,
    publish(topic, payload, qos) {
      return new Promise((resolve, reject) =>
        aedes.publish({ cmd: "publish", topic, payload, qos, retain: false, dup: false }, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
    },
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An MQTT.js client, connected (or failing) within 5 s. */
export async function connectClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 100, connectTimeout: 5000, ...options });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection to ${url} within 5 s`)), 5000);
      client.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } catch (error) {
    client.end(true);
    throw error;
  }
  return client;
}

/** Received messages by sequence number, in arrival order, from payloads `<seq>` or `<seq>:<anything>`. */
export interface SequenceRecorder {
  readonly arrivals: number[];
  readonly distinct: Set<number>;
  record(payload: Buffer): void;
}

export function sequenceRecorder(): SequenceRecorder {
  const arrivals: number[] = [];
  const distinct = new Set<number>();
  return {
    arrivals,
    distinct,
    record(payload) {
      const seq = Number.parseInt(payload.toString().split(":")[0] ?? "", 10);
      arrivals.push(seq);
      distinct.add(seq);
    },
  };
}

/** Each sequence number at its first arrival: what "in order" means when at-least-once may repeat some. */
export function firstArrivals(arrivals: readonly number[]): number[] {
  const seen = new Set<number>();
  const firsts: number[] = [];
  for (const seq of arrivals) {
    if (seen.has(seq)) continue;
    seen.add(seq);
    firsts.push(seq);
  }
  return firsts;
}

/** 0, 1, …, count - 1 */
export function range(count: number, from = 0): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** Publishes `seqs` at QoS 1, `batch` at a time, waiting for each batch's PUBACKs (and `pauseMs` between). */
export async function publishSequence(
  client: MqttClient,
  topic: string,
  seqs: readonly number[],
  options: { batch: number; pauseMs?: number; payloadBytes?: number; onBatch?: (published: number) => void },
): Promise<void> {
  const padding = "x".repeat(options.payloadBytes ?? 0);
  for (let i = 0; i < seqs.length; i += options.batch) {
    const slice = seqs.slice(i, i + options.batch);
    await Promise.all(slice.map((seq) => client.publishAsync(topic, `${seq}:${padding}`, { qos: 1 })));
    options.onBatch?.(i + slice.length);
    if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
}

/** Ends MQTT.js clients without waiting for anything in flight. */
export async function endClients(clients: (MqttClient | undefined)[]): Promise<void> {
  await Promise.all(
    clients.map((client) => (client ? new Promise<void>((resolve) => client.end(true, () => resolve())) : undefined)),
  );
}

/**
 * What one bridge test starts, for `tearDownRig` to stop after it in reverse order: the bridge, its outbox, the
 * local broker, the central Mosquitto and any clients. A test assigns the parts it starts.
 */
export interface BridgeRig {
  bridge?: Bridge;
  outbox?: Outbox;
  local?: LocalBroker;
  central?: Mosquitto;
  readonly clients: MqttClient[];
}

export function bridgeRig(): BridgeRig {
  return { clients: [] };
}

export async function tearDownRig(rig: BridgeRig): Promise<void> {
  await rig.bridge?.stop();
  rig.bridge = undefined;
  rig.outbox?.close();
  rig.outbox = undefined;
  await endClients(rig.clients.splice(0));
  await rig.local?.close();
  rig.local = undefined;
  await rig.central?.stop();
  rig.central = undefined;
  await removeTempDirs();
}
