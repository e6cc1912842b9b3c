import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createInvoker, type InvokerResponse } from "../../src/core/invoker.js";
import { CRON_CONNECTOR, invokeOnSchedule } from "../../src/cron/cron-invoke.js";
import { type CronScheduler, type CronSchedulerOptions, createCronScheduler } from "../../src/cron/cron-scheduler.js";

/** Six fields, so only with `secondsForTests`: a tick every second keeps these tests short. */
const EVERY_SECOND = "* * * * * *";

interface LogLine {
  readonly level: "info" | "warn";
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

function recordingLogger() {
  const lines: LogLine[] = [];
  const record = (level: LogLine["level"]) => (message: string, fields?: Readonly<Record<string, unknown>>) => {
    lines.push(fields === undefined ? { level, message } : { level, message, fields });
  };
  return {
    lines,
    logger: { info: record("info"), warn: record("warn") },
    messages: (prefix = "") => lines.filter((line) => line.message.startsWith(prefix)).map((line) => line.message),
  };
}

function answer(fn: string, status: number): InvokerResponse {
  return { topic: "cron-function", fn, status, headers: {}, body: Buffer.alloc(0), durationMs: 1 };
}

/** A promise the test settles: holds an invocation open for as long as the test needs. */
class Gate {
  readonly opened: Promise<void>;
  open: () => void = () => {};
  constructor() {
    this.opened = new Promise((resolve) => {
      this.open = resolve;
    });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `condition` holds; fails the test after `timeoutMs` instead of hanging. */
async function waitFor(what: string, condition: () => boolean, timeoutMs = 6000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A scheduler stopped after the test, with its gates opened first so stop() does not wait on them. */
function scheduler(options: CronSchedulerOptions, gates: Gate[] = []): CronScheduler {
  const created = createCronScheduler(options);
  cleanups.push(async () => {
    for (const gate of gates) gate.open();
    await created.stop();
  });
  return created;
}

describe("createCronScheduler", () => {
  it("invokes the function on each tick and logs as OpenFaaS's cron-connector does", async () => {
    const log = recordingLogger();
    const calls: string[] = [];
    const ran: Array<[string, number | "error", number]> = [];
    const cron = scheduler({
      invoke: async (fn) => {
        calls.push(fn);
        return answer(fn, 200);
      },
      logger: log.logger,
      events: { ran: (fn, status, ms) => ran.push([fn, status, ms]) },
      secondsForTests: true,
    });

    cron.sync([{ fn: "tick.openfaas-fn", schedule: EVERY_SECOND }]);
    await waitFor("two runs", () => ran.length >= 2);

    expect(calls.slice(0, 2)).toEqual(["tick.openfaas-fn", "tick.openfaas-fn"]);
    expect(ran[0]).toEqual(["tick.openfaas-fn", 200, expect.any(Number)]);
    expect(log.messages("Added:")).toEqual(["Added: tick.openfaas-fn [* * * * * *]"]);
    expect(log.messages("Invoking:")[0]).toBe("Invoking: tick.openfaas-fn [* * * * * *]");
    expect(log.messages("Response:")[0]).toMatch(/^Response: tick\.openfaas-fn \[200\] \(\d+ms\)$/);
    expect(log.lines.find((line) => line.message.startsWith("Response:"))?.fields).toMatchObject({
      fn: "tick.openfaas-fn",
      status: 200,
    });
  });

  it("runs an @every schedule through the public parser", async () => {
    const ran: string[] = [];
    const cron = scheduler({
      invoke: async (fn) => answer(fn, 202),
      logger: recordingLogger().logger,
      events: { ran: (fn) => ran.push(fn) },
    });

    cron.sync([{ fn: "often", schedule: "@every 1s" }]);
    const [job] = cron.jobs();
    expect(job?.next?.getTime()).toBeGreaterThan(Date.now());
    await waitFor("two runs", () => ran.length >= 2);
    expect(ran.slice(0, 2)).toEqual(["often", "often"]);
  });

  it("reports a run without an answer, or a throwing invoke, as an error", async () => {
    const log = recordingLogger();
    const ran = new Map<string, number | "error">();
    scheduler({
      invoke: async (fn) => {
        if (fn === "throws") throw new Error("invoker bug");
        return { ...answer(fn, 0), error: new Error("connect ECONNREFUSED 127.0.0.1:1") };
      },
      logger: log.logger,
      events: { ran: (fn, status) => ran.set(fn, status) },
      secondsForTests: true,
    }).sync([
      { fn: "down", schedule: EVERY_SECOND },
      { fn: "throws", schedule: EVERY_SECOND },
    ]);

    await waitFor("both runs", () => ran.size === 2);
    expect(Object.fromEntries(ran)).toEqual({ down: "error", throws: "error" });
    const warnings = log.lines.filter((line) => line.level === "warn").map((line) => line.message);
    expect(warnings).toContainEqual(expect.stringMatching(/^Response: down \[error\] \(\d+ms\): connect ECONNREFUSED/));
    expect(warnings).toContainEqual(expect.stringMatching(/^Response: throws \[error\] \(\d+ms\): invoker bug$/));
  });

  it("does not start a run while the previous one is in progress, and logs each skipped tick", async () => {
    const log = recordingLogger();
    const gate = new Gate();
    let started = 0;
    let inFlight = 0;
    let mostInFlight = 0;
    const skipped: string[] = [];
    const ran: string[] = [];
    const cron = scheduler(
      {
        invoke: async (fn) => {
          started++;
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          if (started === 1) await gate.opened;
          inFlight--;
          return answer(fn, 200);
        },
        logger: log.logger,
        events: { skipped: (fn) => skipped.push(fn), ran: (fn) => ran.push(fn) },
        secondsForTests: true,
      },
      [gate],
    );

    cron.sync([{ fn: "slow", schedule: EVERY_SECOND }]);
    await waitFor("two ticks skipped behind the slow run", () => skipped.length >= 2);
    expect(started).toBe(1);
    expect(ran).toEqual([]);
    expect(skipped.every((fn) => fn === "slow")).toBe(true);
    // One warning per skipped tick, no more and no fewer.
    expect(log.messages("Skipped:")).toEqual(
      skipped.map(() => "Skipped: slow [* * * * * *] (the previous run is still in progress)"),
    );

    gate.open();
    await waitFor("a run after the slow one finished", () => ran.length >= 2);
    expect(started).toBeGreaterThanOrEqual(2);
    expect(mostInFlight).toBe(1);
  });

  it("keeps a function's runs apart across a schedule change", async () => {
    const gate = new Gate();
    let started = 0;
    const skipped: string[] = [];
    const cron = scheduler(
      {
        invoke: async (fn) => {
          started++;
          if (started === 1) await gate.opened;
          return answer(fn, 200);
        },
        logger: recordingLogger().logger,
        events: { skipped: (fn) => skipped.push(fn) },
        secondsForTests: true,
      },
      [gate],
    );

    cron.sync([{ fn: "f", schedule: EVERY_SECOND }]);
    await waitFor("the first run", () => started === 1);
    // Same function, new schedule text: a new job, while the old job's run is still going.
    cron.sync([{ fn: "f", schedule: "*/1 * * * * *" }]);
    await waitFor("the new job's tick to be skipped", () => skipped.length >= 1);
    expect(started).toBe(1);

    gate.open();
    await waitFor("the new job to run", () => started >= 2);
  });

  it("sync adds new jobs, removes gone ones, replaces changed ones and leaves the rest alone", async () => {
    const log = recordingLogger();
    const cron = scheduler({ invoke: async (fn) => answer(fn, 200), logger: log.logger });

    cron.sync([
      { fn: "a", schedule: "0 0 1 1 *" },
      { fn: "b", schedule: "0 12 * * *" },
      { fn: "c", schedule: "@every 1h" },
    ]);
    const syncedAt = Date.now();
    expect(log.messages()).toEqual(["Added: a [0 0 1 1 *]", "Added: b [0 12 * * *]", "Added: c [@every 1h]"]);
    const first = cron.jobs();
    expect(first.map(({ fn, schedule }) => [fn, schedule])).toEqual([
      ["a", "0 0 1 1 *"],
      ["b", "0 12 * * *"],
      ["c", "@every 1h"],
    ]);
    for (const job of first) expect(job.next?.getTime()).toBeGreaterThan(syncedAt);
    const cNext = first[2]?.next?.getTime();

    // The same set again changes nothing.
    cron.sync([
      { fn: "c", schedule: "@every 1h" },
      { fn: "b", schedule: "0 12 * * *" },
      { fn: "a", schedule: "0 0 1 1 *" },
    ]);
    expect(log.messages()).toHaveLength(3);

    // An @every job re-created now would be due a whole second later than the one made at syncedAt.
    await waitFor("more than a second to pass", () => Date.now() > syncedAt + 1000);
    log.lines.length = 0;
    cron.sync([
      { fn: "b", schedule: "0 13 * * *" },
      { fn: "c", schedule: "@every 1h" },
      { fn: "d", schedule: "@hourly" },
    ]);

    expect(log.messages()).toEqual([
      "Removed: a [0 0 1 1 *]",
      "Removed: b [0 12 * * *]",
      "Added: b [0 13 * * *]",
      "Added: d [@hourly]",
    ]);
    const second = cron.jobs();
    expect(second.map(({ fn, schedule }) => [fn, schedule])).toEqual([
      ["c", "@every 1h"],
      ["b", "0 13 * * *"],
      ["d", "@hourly"],
    ]);
    expect(second[0]?.next?.getTime()).toBe(cNext);
    expect(second[1]?.next?.getHours()).toBe(13);

    cron.sync([]);
    expect(cron.jobs()).toEqual([]);
    expect(log.messages("Removed:")).toHaveLength(5);
  });

  it("skips an invalid schedule with one warning, not one per refresh", () => {
    const log = recordingLogger();
    // No secondsForTests: the public parser, which refuses six fields as OpenFaaS does.
    const cron = scheduler({ invoke: async (fn) => answer(fn, 200), logger: log.logger });
    const entries = [
      { fn: "seconds", schedule: "* * * * * *" },
      { fn: "mars", schedule: "CRON_TZ=Mars/Base 0 * * * *" },
      { fn: "good", schedule: "@daily" },
    ];

    for (let refresh = 0; refresh < 3; refresh++) cron.sync(entries);

    const warnings = log.lines.filter((line) => line.level === "warn");
    expect(warnings.map((line) => line.message)).toEqual([
      "Not scheduled: seconds [* * * * * *]: The schedule has 6 fields; only 5 are supported (minute hour day-of-month month day-of-week), seconds are not.",
      'Not scheduled: mars [CRON_TZ=Mars/Base 0 * * * *]: Unknown time zone "Mars/Base" in CRON_TZ=.',
    ]);
    expect(warnings[0]?.fields).toMatchObject({ fn: "seconds", schedule: "* * * * * *" });
    expect(cron.jobs().map((job) => job.fn)).toEqual(["good"]);

    // Gone and back: worth one more warning each.
    cron.sync(entries.slice(2));
    cron.sync(entries);
    expect(log.lines.filter((line) => line.level === "warn")).toHaveLength(4);
  });

  it("stop stops the timers and waits for the run in progress", async () => {
    const log = recordingLogger();
    const gate = new Gate();
    let started = 0;
    const cron = scheduler(
      {
        invoke: async (fn) => {
          started++;
          await gate.opened;
          return answer(fn, 200);
        },
        logger: log.logger,
        secondsForTests: true,
      },
      [gate],
    );
    cron.sync([{ fn: "long", schedule: EVERY_SECOND }]);
    await waitFor("the run to start", () => started === 1);

    let stopped = false;
    const stopping = cron.stop().then(() => {
      stopped = true;
      log.logger.info("(stop resolved)");
    });
    expect(cron.jobs()).toEqual([]);
    // Long enough for at least one more tick, had the timer survived (it would log a skip).
    await sleep(1200);
    expect(stopped).toBe(false);

    gate.open();
    await stopping;
    const messages = log.messages();
    expect(messages.indexOf("(stop resolved)")).toBeGreaterThan(
      messages.findIndex((message) => message.startsWith("Response: long [200]")),
    );
    expect(messages.findIndex((message) => message.startsWith("Response: long"))).toBeGreaterThan(-1);
    expect(log.messages("Skipped:")).toEqual([]);
    expect(started).toBe(1);

    // A refresh racing the shutdown schedules nothing.
    cron.sync([{ fn: "late", schedule: EVERY_SECOND }]);
    expect(cron.jobs()).toEqual([]);
    expect(log.messages("Added: late")).toEqual([]);
  });
});

describe("a scheduled run over HTTP", () => {
  it("POSTs an empty body with X-Topic: cron-function and X-Connector: cron-connector", async () => {
    const requests: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: Buffer }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        requests.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { "content-type": "text/plain" }).end("done");
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const invoker = createInvoker({
      gatewayUrl: `http://127.0.0.1:${port}`,
      asynchronous: false,
      connector: CRON_CONNECTOR,
      timeoutMs: 5000,
      userAgent: "coffee-edge-cron-connector-test",
    });
    cleanups.push(() => invoker.close());
    const ran: Array<number | "error"> = [];
    const cron = scheduler({
      invoke: invokeOnSchedule(invoker),
      logger: recordingLogger().logger,
      events: { ran: (_fn, status) => ran.push(status) },
      secondsForTests: true,
    });

    cron.sync([{ fn: "nightly.openfaas-fn", schedule: EVERY_SECOND }]);
    await waitFor("a scheduled request", () => ran.length >= 1);

    expect(ran[0]).toBe(200);
    const [request] = requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/function/nightly.openfaas-fn");
    expect(request?.headers["x-topic"]).toBe("cron-function");
    expect(request?.headers["x-connector"]).toBe("cron-connector");
    expect(request?.headers["content-type"]).toBeUndefined();
    expect(request?.body.length).toBe(0);
  });
});
