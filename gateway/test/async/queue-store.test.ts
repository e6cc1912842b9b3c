import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type AsyncQueue, openAsyncQueue } from "../../src/async/queue-store.js";
import { FIXTURES, makeCall, removeTempDirs, tempQueueFile } from "./helpers.js";

const run = promisify(execFile);
const opened: AsyncQueue[] = [];

function open(file: string, keepFinished?: number): AsyncQueue {
  const queue = openAsyncQueue(keepFinished === undefined ? { file } : { file, keepFinished });
  opened.push(queue);
  return queue;
}

afterEach(async () => {
  for (const queue of opened.splice(0)) queue.close();
  await removeTempDirs();
});

interface StoredRow {
  call_id: string;
  function_name: string;
  headers: string;
  body: string;
  state: string;
  callback_url: string | null;
}

/** The jobs as another process finds them on disk. */
async function readFromAnotherProcess(file: string): Promise<StoredRow[]> {
  const { stdout } = await run(process.execPath, [path.join(FIXTURES, "read-queue.mjs"), file], { timeout: 10_000 });
  return JSON.parse(stdout) as StoredRow[];
}

describe("accept", () => {
  it("commits 200 concurrent calls in few transactions, and another process finds all of them", async () => {
    const file = await tempQueueFile();
    const queue = open(file);
    const calls = Array.from({ length: 200 }, (_, i) =>
      makeCall({ headers: [["X-Order", String(i)]], body: Buffer.from(`body ${i}`), callbackUrl: "http://cb/x" }),
    );
    await Promise.all(calls.map((call) => queue.accept(call)));

    expect(queue.stats()).toEqual({ acceptCommits: 1, acceptedCalls: 200 });
    expect(existsSync(path.dirname(file))).toBe(true);
    queue.close();

    const rows = await readFromAnotherProcess(file);
    expect(rows.map((row) => row.call_id)).toEqual(calls.map((call) => call.callId));
    expect(rows[7]).toMatchObject({
      function_name: "receipt",
      headers: JSON.stringify([["X-Order", "7"]]),
      body: Buffer.from("body 7").toString("base64"),
      state: "queued",
      callback_url: "http://cb/x",
    });
  });

  it("gives calls accepted in different turns their own commits (the counter counts transactions)", async () => {
    const queue = open(await tempQueueFile());
    await queue.accept(makeCall());
    await queue.accept(makeCall());
    await Promise.all([queue.accept(makeCall()), queue.accept(makeCall())]);
    expect(queue.stats()).toEqual({ acceptCommits: 3, acceptedCalls: 4 });
  });

  it("resolves only after the commit, tells listeners, and commits calls still waiting when closed", async () => {
    const file = await tempQueueFile();
    const queue = open(file);
    let notified = 0;
    queue.onAccepted(() => notified++);
    const accepted = queue.accept(makeCall({ callId: "last-one" }));
    expect(queue.stats().acceptCommits).toBe(0);
    queue.close();
    await accepted;
    expect(notified).toBe(1);
    await expect(queue.accept(makeCall())).rejects.toThrow(/closed/);
    expect((await readFromAnotherProcess(file)).map((row) => row.call_id)).toEqual(["last-one"]);
  });

  it("refuses a second owner of the same file", async () => {
    const file = await tempQueueFile();
    open(file);
    expect(() => open(file)).toThrow(/in use by another process/);
  });

  it("refuses a file written by a newer schema", async () => {
    const file = await tempQueueFile();
    open(file).close();
    const db = new Database(file);
    db.pragma("user_version = 99");
    db.close();
    expect(() => open(file)).toThrow(/schema version 99/);
  });
});

describe("claiming", () => {
  it("claims first accepted first, skips jobs whose retry is not due, and reports the next due time", async () => {
    const queue = open(await tempQueueFile());
    const calls = [makeCall(), makeCall(), makeCall()];
    for (const call of calls) await queue.accept(call);

    const [first] = queue.claimDue(1000, 1);
    expect(first?.call).toEqual(calls[0]);
    expect(first?.attempts).toBe(0);
    queue.retryInvoke(first?.jobId ?? -1, { attempts: 1, nextAttemptAt: 5000, lastError: "invoke: status 503" });

    expect(queue.claimDue(1000, 10).map((job) => job.call.callId)).toEqual([calls[1]?.callId, calls[2]?.callId]);
    expect(queue.claimDue(1000, 10)).toEqual([]);
    expect(queue.nextDueAt()).toBe(5000);
    expect(queue.depth()).toBe(3);

    const again = queue.claimDue(5000, 10);
    expect(again.map((job) => [job.call.callId, job.attempts])).toEqual([[calls[0]?.callId, 1]]);
    expect(queue.nextDueAt()).toBeUndefined();
  });

  it("puts jobs a dead process left running back in the queue, keeping a recorded result for the callback", async () => {
    const file = await tempQueueFile();
    const before = open(file);
    const invoked = makeCall({ callbackUrl: "http://127.0.0.1:9/cb" });
    const notInvoked = makeCall();
    await before.accept(invoked);
    await before.accept(notInvoked);
    const [job] = before.claimDue(Date.now(), 2);
    const result = { status: 201, headers: [["X-A", "1"]] as const, body: Buffer.from("made"), durationSeconds: 0.25 };
    before.recordInvocation(job?.jobId ?? -1, { attempts: 1, result, exhausted: false });
    before.close(); // as good as a crash here: both jobs are "running" on disk

    const after = open(file);
    expect(after.recoveredOnOpen).toBe(2);
    expect(after.recent(10).map((view) => [view.callId, view.state, view.awaitingCallback])).toEqual([
      [notInvoked.callId, "queued", false],
      [invoked.callId, "queued", true],
    ]);
    const [first, second] = after.claimDue(Date.now(), 10);
    expect(first?.invocation).toEqual({ result: { ...result, headers: [["X-A", "1"]] }, exhausted: false });
    expect(first?.attempts).toBe(1);
    expect(second?.invocation).toBeUndefined();
  });
});

describe("recent and pruning", () => {
  it("shows jobs newest first without bodies or header values, masking a password in the callback URL", async () => {
    const queue = open(await tempQueueFile());
    await queue.accept(
      makeCall({
        callId: "secretive",
        headers: [["Authorization", "Bearer top-secret-token"]],
        body: Buffer.from("secret-body"),
        callbackUrl: "https://user:hunter2@example.test/cb?x=1",
      }),
    );
    await queue.accept(makeCall({ callId: "plain" }));
    const [secretive] = queue.claimDue(Date.now(), 1);
    queue.finish(secretive?.jobId ?? -1, {
      state: "failed",
      finishedAt: 42,
      attempts: 3,
      status: 503,
      callbackAttempts: 2,
      callbackStatus: 500,
      lastError: "callback: status 500",
    });

    const views = queue.recent(10);
    expect(views).toEqual([
      {
        callId: "plain",
        functionName: "receipt",
        state: "queued",
        awaitingCallback: false,
        attempts: 0,
        callbackAttempts: 0,
        acceptedAt: expect.any(Number),
      },
      {
        callId: "secretive",
        functionName: "receipt",
        state: "failed",
        awaitingCallback: false,
        attempts: 3,
        status: 503,
        callbackUrl: "https://user:***@example.test/cb?x=1",
        callbackStatus: 500,
        callbackAttempts: 2,
        acceptedAt: expect.any(Number),
        finishedAt: 42,
        lastError: "callback: status 500",
      },
    ]);
    const text = JSON.stringify(views);
    for (const secret of ["top-secret-token", "secret-body", "hunter2"]) expect(text).not.toContain(secret);
    expect(queue.depth()).toBe(1);
    expect(queue.recent(1).map((view) => view.callId)).toEqual(["plain"]);
  });

  it("keeps only the newest finished jobs and drops the bodies of finished ones", async () => {
    const file = await tempQueueFile();
    const queue = open(file, 3);
    for (let i = 0; i < 6; i++) await queue.accept(makeCall({ callId: `job-${i}`, body: Buffer.alloc(1000, 1) }));
    const jobs = queue.claimDue(Date.now(), 5);
    for (const [index, job] of jobs.entries()) queue.finish(job.jobId, { state: "done", finishedAt: 100 + index });

    expect(queue.recent(10).map((view) => [view.callId, view.state])).toEqual([
      ["job-5", "queued"],
      ["job-4", "done"],
      ["job-3", "done"],
      ["job-2", "done"],
    ]);
    queue.close();
    const rows = await readFromAnotherProcess(file);
    expect(rows.map((row) => [row.call_id, row.body.length > 0, row.headers])).toEqual([
      ["job-2", false, "[]"],
      ["job-3", false, "[]"],
      ["job-4", false, "[]"],
      ["job-5", true, JSON.stringify([["Content-Type", "application/json"]])],
    ]);
  });
});
