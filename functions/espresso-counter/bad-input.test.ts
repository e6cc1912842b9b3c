import { badJsonBodies, mapConcurrently } from "@coffee-edge/node18-typescript/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isShotPayload } from "./shot-input.js";
import { type Espresso, freshDatabase, startEspresso, type TestClock, type TestDatabase } from "./test-helpers.js";

const TOPIC = "store/store042/espresso/gaggia-1/shot";
const VALID = { id: "evt-1", shots: 1, ts: "2024-03-01T08:00:00Z", store: "store042", machine: "gaggia-1" };

describe("hostile shot bodies", () => {
  let database: TestDatabase;
  let app: Espresso;
  const clock: TestClock = { now: new Date("2024-03-01T09:00:00Z") };

  beforeAll(async () => {
    database = await freshDatabase("sqlite");
    app = await startEspresso({ database, clock });
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it("answers each of at least 500 bad bodies with a 4xx problem, never a 5xx, and keeps serving", async () => {
    const bodies = badJsonBodies(VALID, { count: 500, accepts: isShotPayload });
    expect(bodies.length).toBeGreaterThanOrEqual(500);

    const answers = await mapConcurrently(bodies, 16, async (bad) => {
      const res = await fetch(app.url, {
        method: "POST",
        headers: { "content-type": bad.contentType, "x-topic": TOPIC },
        body: bad.body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      return { label: bad.label, status: res.status, type: res.headers.get("content-type") };
    });
    const wrong = answers.filter(
      (answer) => answer.status < 400 || answer.status >= 500 || answer.type !== "application/problem+json",
    );
    expect(wrong).toEqual([]);

    // Nothing bad was counted, and a valid event is still counted correctly.
    const valid = await app.shot(TOPIC, VALID);
    expect(valid.status).toBe(200);
    expect(await valid.json()).toMatchObject({ date: "2024-03-01", count: 1, status: "normal" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(app.server.logs.filter((line) => line.level === "error")).toEqual([]);
  }, 60_000);

  it.each([
    ["a JSON string", "application/json", '"2"'],
    ["text that is not a number", "text/plain", "two shots"],
    ["text holding a fraction", "text/plain", "1.5"],
    ["text holding a huge number", "text/plain", `1${"0".repeat(400)}`],
    ["text holding a __proto__ event", "text/plain", '{"__proto__":{"polluted":true},"id":"x","shots":1}'],
    ["bytes", "application/octet-stream", "1"],
    ["an empty text body", "text/plain", ""],
  ])("answers %s with a 4xx problem", async (_label, contentType, body) => {
    const res = await app.shot(TOPIC, body, contentType);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ["a 10 kB topic", `store/${"s".repeat(10_000)}/espresso/m/shot`],
    ["a topic with wildcards", "store/+/espresso/#"],
    ["an empty topic level", "store//espresso/m/shot"],
  ])("answers %s with a 400 problem", async (_label, topic) => {
    const res = await app.shot(topic, 1);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: "https://coffee-edge.dev/problems/invalid-topic" });
  });
});
