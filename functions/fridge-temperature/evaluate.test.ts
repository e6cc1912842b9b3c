import { describe, expect, it } from "vitest";
import { type EvaluatedState, type Evaluation, evaluate, type FridgeStatus, type Thresholds } from "./evaluate.js";

const thresholds: Thresholds = { maxTempC: 5, criticalTempC: 8, sustainSeconds: 300, hysteresisC: 0.5 };
const start = Date.parse("2025-03-01T08:00:00.000Z");
const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();

/** Feeds readings `[secondsAfterStart, tempC]` one after the other; returns every evaluation. */
function run(readings: ReadonlyArray<readonly [number, number]>, limits = thresholds): Evaluation[] {
  let state: EvaluatedState | undefined;
  return readings.map(([seconds, tempC]) => {
    const evaluation = evaluate(state, { tempC, at: at(seconds) }, limits);
    state = evaluation.state;
    return evaluation;
  });
}

const statuses = (evaluations: Evaluation[]): FridgeStatus[] => evaluations.map((e) => e.state.status);

describe("evaluate: the food-safety rules", () => {
  it("answers ok at or below MAX_TEMP_C", () => {
    expect(
      statuses(
        run([
          [0, 3],
          [60, 5],
          [120, -2],
        ]),
      ),
    ).toEqual(["ok", "ok", "ok"]);
  });

  it("keeps a breach ok until it has lasted SUSTAIN_SECONDS, by reading timestamps, then warns", () => {
    const evaluations = run([
      [0, 5.1],
      [120, 6],
      [299, 7.9],
      [300, 6.5],
      [360, 6],
    ]);
    expect(statuses(evaluations)).toEqual(["ok", "ok", "ok", "warning", "warning"]);
    expect(evaluations.map((e) => e.incidentOpened)).toEqual([false, false, false, true, false]);
    expect(evaluations[3]?.state.breachSince).toBe(at(0));
  });

  it("starts the sustain count again when a reading comes back to MAX_TEMP_C or below", () => {
    expect(
      statuses(
        run([
          [0, 6],
          [200, 5],
          [250, 6],
          [500, 6],
          [550, 6],
        ]),
      ),
    ).toEqual(["ok", "ok", "ok", "ok", "warning"]);
  });

  it("answers critical at once at CRITICAL_TEMP_C, opening an incident", () => {
    const [first] = run([[0, 8]]);
    expect(first).toEqual({
      state: { status: "critical", statusSince: at(0), breachSince: at(0) },
      incidentOpened: true,
      incidentClosed: false,
    });
  });

  it("escalates a warning to critical within the same incident, and back to warning below CRITICAL_TEMP_C", () => {
    const evaluations = run([
      [0, 6],
      [300, 6],
      [400, 9],
      [500, 7],
    ]);
    expect(statuses(evaluations)).toEqual(["ok", "warning", "critical", "warning"]);
    expect(evaluations.map((e) => e.incidentOpened)).toEqual([false, true, false, false]);
  });

  it("stays in the incident between MAX_TEMP_C − HYSTERESIS_C and MAX_TEMP_C, recovers below, then is ok", () => {
    const evaluations = run([
      [0, 9],
      [60, 5],
      [120, 4.5],
      [180, 4.4],
      [240, 4.8],
      [300, 5.2],
    ]);
    expect(statuses(evaluations)).toEqual(["critical", "warning", "warning", "recovered", "ok", "ok"]);
    expect(evaluations.map((e) => e.incidentClosed)).toEqual([false, false, false, true, false, false]);
  });

  it("opens a new incident for a new breach after recovery", () => {
    const evaluations = run([
      [0, 9],
      [60, 3],
      [120, 9],
    ]);
    expect(statuses(evaluations)).toEqual(["critical", "recovered", "critical"]);
    expect(evaluations.map((e) => e.incidentOpened)).toEqual([true, false, true]);
  });

  it("keeps `statusSince` while the status holds and moves it when the status changes", () => {
    const evaluations = run([
      [0, 3],
      [60, 4],
      [120, 9],
      [180, 9.5],
    ]);
    expect(evaluations.map((e) => e.state.statusSince)).toEqual([at(0), at(0), at(120), at(120)]);
  });

  it("warns at the first reading above MAX_TEMP_C when SUSTAIN_SECONDS is 0", () => {
    expect(statuses(run([[0, 5.1]], { ...thresholds, sustainSeconds: 0 }))).toEqual(["warning"]);
  });

  it("recovers only strictly below MAX_TEMP_C − HYSTERESIS_C, and with no hysteresis just at or below MAX_TEMP_C", () => {
    expect(
      statuses(
        run([
          [0, 9],
          [60, 4.5],
        ]),
      ),
    ).toEqual(["critical", "warning"]);
    expect(
      statuses(
        run(
          [
            [0, 9],
            [60, 5],
          ],
          { ...thresholds, hysteresisC: 0 },
        ),
      ),
    ).toEqual(["critical", "warning"]);
    expect(
      statuses(
        run(
          [
            [0, 9],
            [60, 4.9],
          ],
          { ...thresholds, hysteresisC: 0 },
        ),
      ),
    ).toEqual(["critical", "recovered"]);
  });
});
