import { beforeAll, describe, expect, it } from "vitest";
import { FRIDGE_RULES_C } from "../../src/simulate/fridge.js";
import { DEFAULTS } from "../../src/simulate/options.js";
import { type ScenarioOptions, type SimulatedMessage, simulateMessages } from "../../src/simulate/scenario.js";
import {
  DEFAULT_THRESHOLDS,
  type FridgeState,
  type FridgeStatus,
  type FunctionRules,
  loadFunctionRules,
} from "./function-rules.js";

const START = Date.parse("2025-03-01T08:00:00.000Z");
const FRIDGE_TOPIC = /^store\/(store\d{3})\/fridge\/(fridge-\d+)\/temp$/;
const SHOT_TOPIC = /^store\/(store\d{3})\/espresso\/(espresso-\d+)\/shot$/;

function scenario(overrides: Partial<ScenarioOptions> = {}): ScenarioOptions {
  return {
    stores: DEFAULTS.stores,
    fridges: DEFAULTS.fridges,
    machines: DEFAULTS.machines,
    rate: DEFAULTS.rate,
    warmEvery: DEFAULTS.warmEvery,
    warmDurationMs: 360_000,
    duplicateEvery: DEFAULTS.duplicateEvery,
    malformedEvery: DEFAULTS.malformedEvery,
    seed: 42,
    ...overrides,
  };
}

function take(count: number, options: ScenarioOptions, startAt = START): SimulatedMessage[] {
  const messages: SimulatedMessage[] = [];
  for (const message of simulateMessages(options, startAt)) {
    messages.push(message);
    if (messages.length === count) break;
  }
  return messages;
}

function text(payload: string | Buffer): string {
  return typeof payload === "string" ? payload : payload.toString("utf8");
}

function json(payload: string | Buffer): unknown {
  try {
    return JSON.parse(text(payload)) as unknown;
  } catch {
    return Symbol.for("not JSON");
  }
}

let rules: FunctionRules;
beforeAll(async () => {
  rules = await loadFunctionRules();
});

/** °C as the fridge function computes it from a reading it accepted: converted, then rounded to 0.1. */
function celsiusOf(payload: string | Buffer): number {
  const value = json(payload);
  if (typeof value === "number") return rules.roundToTenth(value); // a bare number: DEFAULT_UNIT, °C
  const reading = value as { temp: number; unit: "C" | "F" };
  return rules.roundToTenth(rules.toCelsius(reading.temp, reading.unit));
}

function tsOf(message: SimulatedMessage): string {
  const value = json(message.payload) as { ts?: string } | number;
  // A bare number carries no ts: the function stamps it on arrival, which is when it is due.
  return typeof value === "object" && value.ts !== undefined ? value.ts : new Date(message.at).toISOString();
}

describe("simulateMessages", () => {
  it("gives the same messages for the same seed and start, and others for another seed", () => {
    const first = take(800, scenario({ seed: 7 }));
    const again = take(800, scenario({ seed: 7 }));
    const other = take(800, scenario({ seed: 8 }));
    expect(again).toEqual(first);
    expect(other.map((m) => text(m.payload))).not.toEqual(first.map((m) => text(m.payload)));
  });

  it("publishes on exactly the topics of design §5, every sensor of every store", () => {
    const messages = take(600, scenario({ stores: 3, fridges: 2, machines: 2 }));
    const expected = new Set<string>();
    for (const store of ["store001", "store002", "store003"]) {
      for (const fridge of ["fridge-1", "fridge-2"]) expected.add(`store/${store}/fridge/${fridge}/temp`);
      for (const machine of ["espresso-1", "espresso-2"]) expected.add(`store/${store}/espresso/${machine}/shot`);
    }
    expect(new Set(messages.map((m) => m.topic))).toEqual(expected);
    for (const message of messages) {
      const match = FRIDGE_TOPIC.exec(message.topic) ?? SHOT_TOPIC.exec(message.topic);
      expect(match?.[1]).toBe(message.store);
    }
  });

  it("sends payloads the functions accept, except the malformed ones, which they refuse", () => {
    const messages = take(3000, scenario({ seed: 3 }));
    const forms = new Set<string>();
    for (const message of messages) {
      const value = json(message.payload);
      const isFridge = FRIDGE_TOPIC.test(message.topic);
      const accepted = isFridge
        ? rules.acceptsReadingBody(value) && rules.isPlausibleCelsius(celsiusOf(message.payload))
        : rules.isShotPayload(value);
      expect({ payload: text(message.payload), accepted }).toEqual({
        payload: text(message.payload),
        accepted: message.kind !== "malformed",
      });
      if (message.kind === "malformed") continue;
      forms.add(`${isFridge ? "fridge" : "shot"}:${typeof value === "number" ? "bare" : "object"}`);
      if (typeof value === "object" && value !== null && "ts" in value) {
        // The function refuses a reading stamped too far ahead; the stamp is the message's due time, or for a
        // duplicate the original's (it is the same event, sent again).
        const ts = Date.parse(String(value.ts));
        if (message.kind === "duplicate") expect(ts).toBeLessThan(message.at);
        else expect(ts).toBe(message.at);
      }
    }
    // Both forms of design §5 are exercised, for both kinds of sensor.
    expect([...forms].sort()).toEqual(["fridge:bare", "fridge:object", "shot:bare", "shot:object"]);
  });

  it("has fridges in °C and in °F", () => {
    const units = new Map<string, Set<string>>();
    for (const message of take(300, scenario({ malformedEvery: 0 }))) {
      const value = json(message.payload) as { unit?: string };
      if (!FRIDGE_TOPIC.test(message.topic) || typeof value !== "object" || value.unit === undefined) continue;
      units.set(message.topic, (units.get(message.topic) ?? new Set()).add(value.unit));
    }
    expect([...units.values()].every((set) => set.size === 1)).toBe(true); // a fridge keeps its unit
    expect(new Set([...units.values()].flatMap((set) => [...set]))).toEqual(new Set(["C", "F"]));
  });

  it("places malformed messages and duplicates every Nth message, the malformed one winning a tie", () => {
    const messages = take(1500, scenario({ duplicateEvery: 15, malformedEvery: 25 }));
    messages.forEach((message, index) => {
      const number = index + 1;
      const expected = number % 25 === 0 ? "malformed" : number % 15 === 0 ? "duplicate" : "other";
      const actual = message.kind === "malformed" || message.kind === "duplicate" ? message.kind : "other";
      expect({ number, kind: actual }).toEqual({ number, kind: expected });
    });
  });

  it("sends neither when their every-N is 0", () => {
    const kinds = new Set(take(1000, scenario({ duplicateEvery: 0, malformedEvery: 0 })).map((m) => m.kind));
    expect(kinds.has("duplicate") || kinds.has("malformed")).toBe(false);
  });

  it("repeats the last shot event, id and all, on its own topic", () => {
    const messages = take(1000, scenario({ seed: 11 }));
    let lastShot: SimulatedMessage | undefined;
    let duplicates = 0;
    for (const message of messages) {
      if (message.kind === "duplicate") {
        duplicates++;
        expect(lastShot).toBeDefined();
        expect(message.topic).toBe(lastShot?.topic);
        expect(text(message.payload)).toBe(text(lastShot?.payload ?? ""));
        expect((json(message.payload) as { id?: string }).id).toEqual(expect.any(String));
      }
      if (message.kind === "shot" && typeof json(message.payload) === "object") lastShot = message;
    }
    expect(duplicates).toBeGreaterThan(50);
    // Apart from duplicates, every shot id is new: the counter would otherwise drop real shots.
    const ids = messages
      .filter((m) => m.kind === "shot")
      .map((m) => (json(m.payload) as { id?: string }).id)
      .filter((id) => id !== undefined);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("spaces messages 1/rate apart on the virtual clock, from the start", () => {
    for (const rate of [2, 3, 200]) {
      const messages = take(1000, scenario({ rate }));
      messages.forEach((message, index) => {
        expect(message.at).toBe(START + Math.round((index * 1000) / rate));
      });
      const inTenSeconds = messages.filter((m) => m.at < START + 10_000).length;
      expect(inTenSeconds).toBe(Math.min(1000, Math.ceil(10 * rate)));
    }
  });

  it("keeps calm readings below the warning threshold and warm ones above it", () => {
    for (const message of take(6000, scenario({ seed: 5 }))) {
      if (message.kind === "reading")
        expect(celsiusOf(message.payload)).toBeLessThanOrEqual(FRIDGE_RULES_C.warningAbove);
      if (message.kind === "warm") expect(celsiusOf(message.payload)).toBeGreaterThan(FRIDGE_RULES_C.warningAbove);
    }
  });

  it("makes warm episodes that the fridge function turns into a warning, sometimes critical, then a recovery", () => {
    const seen = new Set<FridgeStatus>();
    let incidents = 0;
    let criticalIncidents = 0;
    let warningIncidents = 0;
    for (const seed of [1, 2, 3, 4]) {
      // Two hours at 2 messages a second: about a dozen episodes per seed.
      const messages = take(14_400, scenario({ seed }));
      const states = new Map<string, FridgeState>();
      const incidentOf = new Map<string, { critical: boolean; warmKindsOnly: boolean }>();
      for (const message of messages) {
        if (!FRIDGE_TOPIC.test(message.topic) || message.kind === "malformed") continue;
        const previous = states.get(message.topic);
        const { state, incidentOpened, incidentClosed } = rules.evaluate(
          previous,
          { tempC: celsiusOf(message.payload), at: tsOf(message) },
          DEFAULT_THRESHOLDS,
        );
        states.set(message.topic, state);
        seen.add(state.status);
        if (incidentOpened) {
          incidents++;
          // The breach was sustained for SUSTAIN_SECONDS by the readings' timestamps before the warning.
          if (state.status === "warning") {
            warningIncidents++;
            const breachSeconds = (Date.parse(tsOf(message)) - Date.parse(state.breachSince ?? "")) / 1000;
            expect(breachSeconds).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.sustainSeconds);
          }
          incidentOf.set(message.topic, { critical: false, warmKindsOnly: true });
        }
        const incident = incidentOf.get(message.topic);
        if (incident && state.status === "critical") incident.critical = true;
        if (incident && !incidentClosed && message.kind !== "warm") incident.warmKindsOnly = false;
        if (incidentClosed && incident) {
          expect(incident.warmKindsOnly).toBe(true); // only the episode's readings keep an incident open
          if (incident.critical) criticalIncidents++;
          incidentOf.delete(message.topic);
        }
      }
    }
    expect(incidents).toBeGreaterThan(20);
    expect(warningIncidents).toBeGreaterThan(0);
    expect(criticalIncidents).toBeGreaterThan(0);
    expect(criticalIncidents).toBeLessThan(incidents);
    expect(seen).toEqual(new Set(["ok", "warning", "critical", "recovered"]));
  });

  it("starts the first warm episode at message warm-every, and never with warm-every 0", () => {
    const messages = take(200, scenario({ warmEvery: 40 }));
    const firstWarm = messages.findIndex((m) => m.kind === "warm");
    expect(firstWarm).toBeGreaterThanOrEqual(39);
    expect(firstWarm).toBeLessThan(40 + 2 * 9); // the chosen fridge's next turn
    expect(take(3000, scenario({ warmEvery: 0 })).some((m) => m.kind === "warm")).toBe(false);
  });

  it("works with fridges only or machines only", () => {
    const fridgesOnly = take(200, scenario({ machines: 0 }));
    expect(fridgesOnly.every((m) => FRIDGE_TOPIC.test(m.topic))).toBe(true);
    expect(fridgesOnly.some((m) => m.kind === "duplicate")).toBe(false);
    const machinesOnly = take(200, scenario({ fridges: 0 }));
    expect(machinesOnly.every((m) => SHOT_TOPIC.test(m.topic))).toBe(true);
    expect(machinesOnly.some((m) => m.kind === "warm")).toBe(false);
  });
});
