import type { FunctionEvent } from "@coffee-edge/node18-typescript";
import { ProblemError } from "@coffee-edge/node18-typescript";
import { describe, expect, it } from "vitest";
import { type ReadingContext, readingFromEvent } from "./reading.js";
import { acceptsReadingBody } from "./reading-schema.js";
import { roundToTenth, toCelsius } from "./temperature.js";
import { parseFridgeTopic } from "./topic.js";

const now = new Date("2025-03-01T08:00:00.000Z");
const celsius: ReadingContext = { defaultUnit: "C", now };
const TOPIC = "store/store042/fridge/fridge-1/temp";

function event(body: unknown, headers: Record<string, string> = {}): FunctionEvent {
  return { body, headers: { "content-type": "application/json", ...headers }, method: "POST", query: {}, path: "/" };
}

/** The problem a request is refused with: its status and type slug. */
function refusal(run: () => unknown): { status: number; slug: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemError) return { status: error.status, slug: error.type.split("/").pop() ?? "" };
    throw error;
  }
  throw new Error("expected a problem, got an answer");
}

describe("temperatures", () => {
  it.each([
    [97.4, "F", 36.3],
    [41, "F", 5],
    [46.4, "F", 8],
    [32, "F", 0],
    [-4, "F", -20],
    [4.26, "C", 4.3],
    [-0.04, "C", 0],
  ] as const)("%s °%s is %s °C once rounded to 0.1", (value, unit, expected) => {
    expect(roundToTenth(toCelsius(value, unit))).toBe(expected);
  });
});

describe("topics", () => {
  it("reads the store and fridge ids from store/{storeId}/fridge/{fridgeId}/temp", () => {
    expect(parseFridgeTopic(TOPIC)).toEqual({ store: "store042", fridge: "fridge-1" });
  });

  it.each([
    "store/store042/fridge/fridge-1",
    "store/store042/fridge/fridge-1/temp/extra",
    "/store/store042/fridge/fridge-1/temp",
    "store/store042/espresso/m1/shot",
    "store/+/fridge/fridge-1/temp",
    "store//fridge/fridge-1/temp",
    `store/${"s".repeat(65)}/fridge/fridge-1/temp`,
    "cron-function",
  ])("refuses %s", (topic) => {
    expect(parseFridgeTopic(topic)).toBeUndefined();
  });
});

describe("readingFromEvent", () => {
  it("takes a JSON object with its unit and timestamp, converting °F to °C", () => {
    const reading = readingFromEvent(
      event({ temp: 97.4, unit: "F", ts: "2025-03-01T08:59:30+01:00" }, { "x-topic": TOPIC }),
      celsius,
    );
    expect(reading).toEqual({ store: "store042", fridge: "fridge-1", tempC: 36.3, at: "2025-03-01T07:59:30.000Z" });
  });

  it("takes a bare JSON number in DEFAULT_UNIT, stamped with the clock's time", () => {
    expect(readingFromEvent(event(39.2, { "x-topic": TOPIC }), { defaultUnit: "F", now })).toEqual({
      store: "store042",
      fridge: "fridge-1",
      tempC: 4,
      at: now.toISOString(),
    });
  });

  it("takes a text body holding a number, and a payload without unit in DEFAULT_UNIT", () => {
    expect(readingFromEvent(event(" 4.2\n", { "content-type": "text/plain", "x-topic": TOPIC }), celsius).tempC).toBe(
      4.2,
    );
    expect(readingFromEvent(event({ temp: 41 }, { "x-topic": TOPIC }), { defaultUnit: "F", now }).tempC).toBe(5);
  });

  it("takes the fridge from the body when there is no topic, and accepts a body that repeats the topic", () => {
    const body = { temp: 3, store: "store042", fridge: "fridge-1" };
    expect(readingFromEvent(event(body), celsius)).toMatchObject({ store: "store042", fridge: "fridge-1" });
    expect(readingFromEvent(event(body, { "x-topic": TOPIC }), celsius)).toMatchObject({ fridge: "fridge-1" });
  });

  it.each<[string, () => unknown, number, string]>([
    [
      "no topic and no ids in the body",
      () => readingFromEvent(event({ temp: 3 }), celsius),
      400,
      "fridge-not-identified",
    ],
    [
      "a body with the store only",
      () => readingFromEvent(event({ temp: 3, store: "s1" }), celsius),
      400,
      "fridge-not-identified",
    ],
    [
      "a body naming another fridge than the topic",
      () => readingFromEvent(event({ temp: 3, fridge: "fridge-2" }, { "x-topic": TOPIC }), celsius),
      400,
      "conflicting-fridge-id",
    ],
    [
      "a body naming another store than the topic",
      () => readingFromEvent(event({ temp: 3, store: "store043" }, { "x-topic": TOPIC }), celsius),
      400,
      "conflicting-fridge-id",
    ],
    [
      "a topic of another shape",
      () => readingFromEvent(event(3, { "x-topic": "store/s/espresso/m/shot" }), celsius),
      400,
      "invalid-topic",
    ],
    ["70 °C", () => readingFromEvent(event(70, { "x-topic": TOPIC }), celsius), 400, "implausible-temperature"],
    [
      "141 °F, beyond the schema's bound in either unit",
      () => readingFromEvent(event({ temp: 141, unit: "F" }, { "x-topic": TOPIC }), celsius),
      400,
      "invalid-request",
    ],
    [
      "130 °F (54 °C) is plausible but 139 °C is not",
      () => readingFromEvent(event({ temp: 139, unit: "C" }, { "x-topic": TOPIC }), celsius),
      400,
      "implausible-temperature",
    ],
    [
      "a timestamp more than 5 minutes ahead of the clock",
      () => readingFromEvent(event({ temp: 3, ts: "2025-03-01T08:05:01Z" }, { "x-topic": TOPIC }), celsius),
      400,
      "invalid-timestamp",
    ],
    [
      "a leap second",
      () => readingFromEvent(event({ temp: 3, ts: "2016-12-31T23:59:60Z" }, { "x-topic": TOPIC }), celsius),
      400,
      "invalid-timestamp",
    ],
    [
      "a timestamp without a time zone",
      () => readingFromEvent(event({ temp: 3, ts: "2025-03-01T08:00:00" }, { "x-topic": TOPIC }), celsius),
      400,
      "invalid-request",
    ],
    [
      "a unit in lower case",
      () => readingFromEvent(event({ temp: 3, unit: "c" }, { "x-topic": TOPIC }), celsius),
      400,
      "invalid-request",
    ],
    [
      "an unknown member",
      () => readingFromEvent(event({ temp: 3, humidity: 40 }, { "x-topic": TOPIC }), celsius),
      400,
      "invalid-request",
    ],
    ["a JSON string", () => readingFromEvent(event("4.2", { "x-topic": TOPIC }), celsius), 400, "invalid-request"],
    [
      "text that is not one number",
      () => readingFromEvent(event("4.2 C", { "content-type": "text/plain", "x-topic": TOPIC }), celsius),
      400,
      "invalid-request",
    ],
    ["an empty body", () => readingFromEvent(event(undefined, { "x-topic": TOPIC }), celsius), 400, "invalid-request"],
    ["an array", () => readingFromEvent(event([4.2], { "x-topic": TOPIC }), celsius), 400, "invalid-request"],
    [
      "bytes of another media type",
      () =>
        readingFromEvent(
          event(Buffer.from("4.2"), { "content-type": "application/octet-stream", "x-topic": TOPIC }),
          celsius,
        ),
      415,
      "unsupported-media-type",
    ],
  ])("refuses %s", (_name, run, status, slug) => {
    expect(refusal(run)).toEqual({ status, slug });
  });

  it("agrees with the schema check the bad-input test relies on", () => {
    expect(acceptsReadingBody(4.2)).toBe(true);
    expect(acceptsReadingBody({ temp: 4.2, unit: "F", ts: now.toISOString(), store: "s", fridge: "f" })).toBe(true);
    expect(acceptsReadingBody({ temp: "4.2" })).toBe(false);
    expect(acceptsReadingBody(Number.POSITIVE_INFINITY)).toBe(false);
  });
});
