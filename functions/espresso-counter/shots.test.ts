import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  databaseKinds,
  type Espresso,
  freshDatabase,
  type Receiver,
  startEspresso,
  startReceiver,
  type TestClock,
  type TestDatabase,
} from "./test-helpers.js";

const TOPIC = "store/store042/espresso/gaggia-1/shot";
const OTHER_MACHINE = "store/store042/espresso/gaggia-2/shot";
const kinds = await databaseKinds();

describe.each(kinds)("shots on $kind", ({ kind }) => {
  let database: TestDatabase;
  let alerts: Receiver;
  let app: Espresso;
  // 11:00 in Paris on 16 January.
  const clock: TestClock = { now: new Date("2024-01-16T10:00:00Z") };

  beforeEach(async () => {
    clock.now = new Date("2024-01-16T10:00:00Z");
    database = await freshDatabase(kind);
    alerts = await startReceiver();
    app = await startEspresso({
      database,
      clock,
      env: { STORE_TIMEZONE: "Europe/Paris", DAILY_THRESHOLD: "5", ALERT_WEBHOOK_URL: alerts.url },
    });
  });
  afterEach(async () => {
    await app?.close();
    await alerts?.close();
    await database?.drop();
  });

  it("counts shots per machine and answers the day's usage", async () => {
    const first = await app.shot(TOPIC, { id: "e-1", shots: 1 });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/json");
    expect(await first.json()).toEqual({
      store: "store042",
      machine: "gaggia-1",
      date: "2024-01-16",
      count: 1,
      threshold: 5,
      status: "normal",
      message: "Usage normal",
    });
    expect(await (await app.shot(TOPIC, { id: "e-2", shots: 2 })).json()).toMatchObject({ count: 3 });
    expect(await (await app.shot(OTHER_MACHINE, { id: "e-1", shots: 1 })).json()).toMatchObject({
      machine: "gaggia-2",
      count: 1,
    });
  });

  it("places a shot on the local day: 23:30 and 00:30 in Paris are two days", async () => {
    const lateEvening = await app.shot(TOPIC, { id: "e-late", shots: 1, ts: "2024-01-15T22:30:00Z" });
    const afterMidnight = await app.shot(TOPIC, { id: "e-early", shots: 2, ts: "2024-01-15T23:30:00Z" });
    expect(await lateEvening.json()).toMatchObject({ date: "2024-01-15", count: 1 });
    expect(await afterMidnight.json()).toMatchObject({ date: "2024-01-16", count: 2 });
    // The same instants written with Paris offsets land on the same days.
    const sameDay = await app.shot(TOPIC, { id: "e-late-2", shots: 1, ts: "2024-01-15T23:59:59+01:00" });
    expect(await sameDay.json()).toMatchObject({ date: "2024-01-15", count: 2 });
  });

  it("does not count an event id twice on the same day, and flags the redelivery", async () => {
    await app.shot(TOPIC, { id: "e-1", shots: 2 });
    const again = await app.shot(TOPIC, { id: "e-1", shots: 2 });
    expect(again.status).toBe(200);
    expect(again.headers.get("x-espresso-duplicate")).toBe("true");
    expect(await again.json()).toMatchObject({ count: 2, status: "normal" });
    const fresh = await app.shot(TOPIC, { id: "e-2", shots: 1 });
    expect(fresh.headers.get("x-espresso-duplicate")).toBeNull();
    expect(await fresh.json()).toMatchObject({ count: 3 });
  });

  it("counts the same event id again on another local day and on another machine", async () => {
    await app.shot(TOPIC, { id: "e-1", shots: 1, ts: "2024-01-15T22:30:00Z" });
    const nextDay = await app.shot(TOPIC, { id: "e-1", shots: 1, ts: "2024-01-15T23:30:00Z" });
    expect(await nextDay.json()).toMatchObject({ date: "2024-01-16", count: 1 });
    expect(nextDay.headers.get("x-espresso-duplicate")).toBeNull();
    const otherMachine = await app.shot(OTHER_MACHINE, { id: "e-1", shots: 1, ts: "2024-01-15T22:30:00Z" });
    expect(await otherMachine.json()).toMatchObject({ date: "2024-01-15", count: 1 });
  });

  it("counts every bare integer: without an id there is nothing to deduplicate by", async () => {
    await app.shot(TOPIC, 2);
    await app.shot(TOPIC, "2", "text/plain");
    expect(await (await app.shot(TOPIC, 1)).json()).toMatchObject({ count: 5, date: "2024-01-16" });
  });

  it("turns to threshold-reached at the threshold and alerts once, not for every shot after", async () => {
    const below = await app.shot(TOPIC, { id: "e-1", shots: 4 });
    expect(await below.json()).toMatchObject({ count: 4, status: "normal", message: "Usage normal" });
    expect(alerts.received).toHaveLength(0);

    const reached = await app.shot(TOPIC, { id: "e-2", shots: 1 });
    expect(await reached.json()).toMatchObject({
      count: 5,
      status: "threshold-reached",
      message: "Daily threshold reached!",
    });
    expect(alerts.received).toHaveLength(1);
    expect(alerts.received[0]?.headers["idempotency-key"]).toBe("espresso-threshold/store042/gaggia-1/2024-01-16");
    expect(alerts.received[0]?.body).toEqual({
      type: "espresso-threshold-reached",
      store: "store042",
      machine: "gaggia-1",
      date: "2024-01-16",
      count: 5,
      threshold: 5,
      message: "Daily threshold reached!",
      reachedAt: "2024-01-16T10:00:00.000Z",
    });

    const after = await app.shot(TOPIC, { id: "e-3", shots: 3 });
    expect(await after.json()).toMatchObject({ count: 8, status: "threshold-reached" });
    await app.shot(TOPIC, 1);
    expect(alerts.received).toHaveLength(1);
  });

  it("alerts once per machine and per day", async () => {
    await app.shot(TOPIC, { id: "a", shots: 5, ts: "2024-01-15T12:00:00Z" });
    await app.shot(TOPIC, { id: "b", shots: 5 });
    await app.shot(OTHER_MACHINE, { id: "c", shots: 6 });
    await app.shot(OTHER_MACHINE, { id: "d", shots: 6 });
    const keys = alerts.received.map((post) => post.headers["idempotency-key"]);
    expect(keys).toEqual([
      "espresso-threshold/store042/gaggia-1/2024-01-15",
      "espresso-threshold/store042/gaggia-1/2024-01-16",
      "espresso-threshold/store042/gaggia-2/2024-01-16",
    ]);
  });

  it("answers the shot when the alert receiver is down, and the cron run delivers the alert later", async () => {
    alerts.answerNext(503, 503);
    const reached = await app.shot(TOPIC, { id: "e-1", shots: 5 });
    expect(reached.status).toBe(200);
    expect(await reached.json()).toMatchObject({ status: "threshold-reached" });
    expect(alerts.received).toHaveLength(2); // the inline delivery and its one retry
    expect(app.logs).toContainEqual(expect.objectContaining({ msg: expect.stringContaining("not delivered") }));
    expect(JSON.stringify(app.logs)).not.toContain(alerts.url);

    await app.shot(TOPIC, { id: "e-2", shots: 1 });
    expect(alerts.received).toHaveLength(2);

    clock.now = new Date("2024-01-16T23:05:00Z"); // 00:05 in Paris, the next day
    const run = await app.cron();
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ alerts: { delivered: 1, undelivered: 0 } });
    expect(alerts.received).toHaveLength(3);
    expect(alerts.received[2]?.headers["idempotency-key"]).toBe("espresso-threshold/store042/gaggia-1/2024-01-16");

    const again = await app.cron();
    expect(await again.json()).toMatchObject({ alerts: { delivered: 0, undelivered: 0 } });
    expect(alerts.received).toHaveLength(3);
  });

  it("answers one store's machines for a day with GET", async () => {
    await app.shot(OTHER_MACHINE, { id: "x", shots: 6 });
    await app.shot(TOPIC, { id: "y", shots: 2 });
    await app.shot(TOPIC, { id: "z", shots: 1, ts: "2024-01-15T22:30:00Z" });
    await app.shot("store/store007/espresso/gaggia-1/shot", { id: "w", shots: 1 });

    const today = await app.get("?store=store042");
    expect(today.status).toBe(200);
    expect(await today.json()).toEqual({
      store: "store042",
      date: "2024-01-16",
      machines: [
        { machine: "gaggia-1", count: 2, threshold: 5, status: "normal" },
        { machine: "gaggia-2", count: 6, threshold: 5, status: "threshold-reached" },
      ],
    });
    expect(await (await app.get("?store=store042&date=2024-01-15")).json()).toEqual({
      store: "store042",
      date: "2024-01-15",
      machines: [{ machine: "gaggia-1", count: 1, threshold: 5, status: "normal" }],
    });
    expect(await (await app.get("?store=store999")).json()).toEqual({
      store: "store999",
      date: "2024-01-16",
      machines: [],
    });
  });

  it("uses today in STORE_TIMEZONE as GET's default date", async () => {
    clock.now = new Date("2024-01-16T23:30:00Z"); // already the 17th in Paris
    await app.shot(TOPIC, 1);
    expect(await (await app.get("?store=store042")).json()).toMatchObject({
      date: "2024-01-17",
      machines: [{ machine: "gaggia-1", count: 1 }],
    });
  });

  it.each([
    ["no store", ""],
    ["an empty store", "?store="],
    ["a store with a slash", "?store=a%2Fb"],
    ["an impossible date", "?store=store042&date=2024-02-30"],
    ["a date with a time", "?store=store042&date=2024-01-16T10:00:00Z"],
  ])("answers GET with %s with a 400 problem", async (_label, query) => {
    const res = await app.get(query);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ type: "https://coffee-edge.dev/problems/invalid-request" });
  });

  it("answers other paths with 404 and other methods with 405", async () => {
    const path = await fetch(`${app.url}/machines`);
    expect(path.status).toBe(404);
    const method = await fetch(app.url, { method: "DELETE" });
    expect(method.status).toBe(405);
    expect(method.headers.get("allow")).toBe("GET, HEAD, POST");
    expect(method.headers.get("content-type")).toBe("application/problem+json");
  });
});
