import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import type { AcceptedCall } from "../../src/async/accepted-call.js";
import type { AsyncEvents } from "../../src/async/worker.js";
import { tempQueueFile as tempFileWithPrefix, waitUntil as waitWithTimeout } from "../support/queue-test-kit.js";

export {
  type Deferred,
  deferred,
  type LogLine,
  recordingLogger,
  removeTempDirs,
} from "../support/queue-test-kit.js";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** How long a test waits for the worker before failing, far under vitest's 20 s. */
export const WAIT_MS = 8000;

/** A queue file path in a fresh temp folder (the folder is not created: the queue must create it). */
export function tempQueueFile(): Promise<string> {
  return tempFileWithPrefix("coffee-edge-async-");
}

let callCounter = 0;

/** An accepted call with distinct id and body; `overrides` replace any field. */
export function makeCall(overrides: Partial<AcceptedCall> = {}): AcceptedCall {
  callCounter++;
  return {
    callId: `call-${callCounter}`,
    functionName: "receipt",
    method: "POST",
    path: "",
    query: "",
    headers: [["Content-Type", "application/json"]],
    body: Buffer.from(JSON.stringify({ order: callCounter })),
    acceptedAt: Date.now(),
    ...overrides,
  };
}

export interface ReceivedCallback {
  readonly method: string;
  readonly url: string;
  readonly headers: Array<[string, string]>;
  readonly body: Buffer;
  header(name: string): string | undefined;
}

export interface CallbackReceiver {
  readonly url: string;
  readonly received: ReceivedCallback[];
  /** Resolves when `count` callbacks arrived (answered or not), rejects after WAIT_MS. */
  waitFor(count: number): Promise<ReceivedCallback[]>;
  close(): Promise<void>;
}

/** What the receiver does with the nth callback (0-based): answer a status, or return "hang" to never answer. */
export type Responder = (callback: ReceivedCallback, index: number, res: ServerResponse) => number | "hang";

/** A real HTTP callback receiver on 127.0.0.1:0 that records every request. */
export async function startReceiver(respond: Responder = () => 200): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers: Array<[string, string]> = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        headers.push([req.rawHeaders[i] ?? "", req.rawHeaders[i + 1] ?? ""]);
      }
      const callback: ReceivedCallback = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers,
        body: Buffer.concat(chunks),
        header: (name) => headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1],
      };
      received.push(callback);
      const status = respond(callback, received.length - 1, res);
      if (status !== "hang" && !res.headersSent) {
        res.statusCode = status;
        res.end();
      }
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    url: `http://127.0.0.1:${address.port}/done`,
    received,
    waitFor: (count) =>
      waitUntil(
        () => received.length >= count,
        (wake) => waiters.push(wake),
        `${count} callbacks (got ${received.length})`,
      ).then(() => received),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Waits, without polling, until `done()` holds; `subscribe` registers a one-shot wake-up on each change. */
function waitUntil(done: () => boolean, subscribe: (wake: () => void) => void, what: string): Promise<void> {
  return waitWithTimeout(done, subscribe, () => what, WAIT_MS);
}

export interface FinishedJobs {
  readonly events: Required<AsyncEvents>;
  readonly finished: Array<{ fn: string; state: "done" | "failed" }>;
  readonly retried: Array<{ fn: string; what: "invoke" | "callback"; status: number | "error" }>;
  /** Resolves once `count` jobs finished, rejects after WAIT_MS. */
  waitFor(count: number): Promise<void>;
  /** Resolves once `count` retries were scheduled, rejects after WAIT_MS. */
  waitForRetries(count: number): Promise<void>;
}

/** Records the worker's events, so a test waits for jobs to finish instead of sleeping. */
export function recordEvents(): FinishedJobs {
  const finished: FinishedJobs["finished"] = [];
  const retried: FinishedJobs["retried"] = [];
  const waiters: Array<() => void> = [];
  return {
    finished,
    retried,
    events: {
      retried: (fn, what, status) => {
        retried.push({ fn, what, status });
        for (const wake of waiters.splice(0)) wake();
      },
      finished: (fn, state) => {
        finished.push({ fn, state });
        for (const wake of waiters.splice(0)) wake();
      },
    },
    waitFor: (count) =>
      waitUntil(
        () => finished.length >= count,
        (wake) => waiters.push(wake),
        `${count} finished jobs (got ${finished.length})`,
      ),
    waitForRetries: (count) =>
      waitUntil(
        () => retried.length >= count,
        (wake) => waiters.push(wake),
        `${count} retries (got ${retried.length})`,
      ),
  };
}

/** A URL on 127.0.0.1 where nothing listens (a port that was free a moment ago). */
export async function freePortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}/cb`;
}
