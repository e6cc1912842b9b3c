import type { IncomingHttpHeaders } from "node:http";
import { ProblemError } from "@coffee-edge/node18-typescript";
import { describe, expect, it } from "vitest";
import { readShot } from "./shot-input.js";

const NOW = new Date("2024-05-10T12:00:00Z");
const TOPIC = "store/store042/espresso/gaggia-1/shot";

function event(body: unknown, headers: IncomingHttpHeaders = {}) {
  return { body, headers: { "content-type": "application/json", "x-topic": TOPIC, ...headers } };
}

function problemOf(run: () => unknown): ProblemError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error("expected a ProblemError");
}

describe("readShot", () => {
  it("reads a JSON event, its machine from the topic", () => {
    const shot = readShot(event({ id: "e-1", shots: 2, ts: "2024-05-10T08:15:00+02:00" }), NOW);
    expect(shot).toEqual({
      store: "store042",
      machine: "gaggia-1",
      id: "e-1",
      shots: 2,
      at: new Date("2024-05-10T06:15:00Z"),
    });
  });

  it("stamps an event without ts with the clock", () => {
    expect(readShot(event({ id: "e-1", shots: 1 }), NOW).at).toEqual(NOW);
  });

  it("reads a bare JSON integer as that many shots without an id", () => {
    expect(readShot(event(3), NOW)).toEqual({
      store: "store042",
      machine: "gaggia-1",
      id: undefined,
      shots: 3,
      at: NOW,
    });
  });

  it.each([
    ["text/plain", " 2\n"],
    ["text/plain; charset=utf-8", "1"],
    [undefined, "4"],
  ])("reads a bare integer sent as %s text", (contentType, text) => {
    const shot = readShot(event(text, { "content-type": contentType }), NOW);
    expect(shot.shots).toBe(Number(text));
    expect(shot.id).toBeUndefined();
  });

  it("reads a JSON event sent as text/plain (the connector's content_type may say so)", () => {
    expect(readShot(event('{"id":"e-9","shots":1}', { "content-type": "text/plain" }), NOW).id).toBe("e-9");
  });

  it("takes store and machine from the payload when there is no topic", () => {
    const shot = readShot(event({ id: "e-1", shots: 1, store: "s1", machine: "m1" }, { "x-topic": undefined }), NOW);
    expect(shot).toMatchObject({ store: "s1", machine: "m1" });
  });

  it("accepts a payload that names the same machine as the topic", () => {
    const shot = readShot(event({ id: "e-1", shots: 1, store: "store042", machine: "gaggia-1" }), NOW);
    expect(shot.machine).toBe("gaggia-1");
  });

  it.each([
    ["a payload naming another store", { id: "e", shots: 1, store: "store043" }, {}, 400, "topic-mismatch"],
    ["a payload naming another machine", { id: "e", shots: 1, machine: "other" }, {}, 400, "topic-mismatch"],
    ["no topic and no machine", { id: "e", shots: 1, store: "s1" }, { "x-topic": undefined }, 400, "missing-machine"],
    ["a bare integer without topic", 1, { "x-topic": undefined }, 400, "missing-machine"],
    ["a fridge topic", { id: "e", shots: 1 }, { "x-topic": "store/s1/fridge/f1/temp" }, 400, "invalid-topic"],
    ["a topic with an extra level", 1, { "x-topic": `${TOPIC}/x` }, 400, "invalid-topic"],
    ["a topic with an odd store id", 1, { "x-topic": "store/st ore/espresso/m1/shot" }, 400, "invalid-topic"],
    ["zero shots", 0, {}, 400, "invalid-request"],
    ["21 shots", 21, {}, 400, "invalid-request"],
    ["1.5 shots", 1.5, {}, 400, "invalid-request"],
    ["an event without id", { shots: 1 }, {}, 400, "invalid-request"],
    ["an event without shots", { id: "e" }, {}, 400, "invalid-request"],
    ["an unknown member", { id: "e", shots: 1, temp: 90 }, {}, 400, "invalid-request"],
    ["an id with a space", { id: "e 1", shots: 1 }, {}, 400, "invalid-request"],
    ["a 129-character id", { id: "x".repeat(129), shots: 1 }, {}, 400, "invalid-request"],
    ["a ts without offset", { id: "e", shots: 1, ts: "2024-05-10T08:15:00" }, {}, 400, "invalid-request"],
    ["a ts before 2000", { id: "e", shots: 1, ts: "1999-12-31T23:59:59Z" }, {}, 400, "invalid-timestamp"],
    ["a ts two days ahead", { id: "e", shots: 1, ts: "2024-05-12T12:00:01Z" }, {}, 400, "invalid-timestamp"],
    ["a leap second", { id: "e", shots: 1, ts: "2016-12-31T23:59:60Z" }, {}, 400, "invalid-timestamp"],
    ["a JSON string holding a number", "3", {}, 400, "invalid-request"],
    ["text that is not a number", "three", { "content-type": "text/plain" }, 400, "invalid-request"],
    ["an empty body", undefined, {}, 400, "invalid-request"],
    ["bytes", Buffer.from("1"), { "content-type": "application/octet-stream" }, 415, "unsupported-media-type"],
  ])("refuses %s", (_label, body, headers, status, slug) => {
    const problem = problemOf(() => readShot(event(body, headers as IncomingHttpHeaders), NOW));
    expect(problem.status).toBe(status);
    expect(problem.type).toBe(`https://coffee-edge.dev/problems/${slug}`);
  });
});
