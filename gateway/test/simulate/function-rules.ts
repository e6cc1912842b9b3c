// The fridge-temperature and espresso-counter functions' own validators and rules, so the simulator's
// payloads are checked by the code that will receive them, not by a copy of their READMEs that could drift.
// Loaded by URL at run time: the gateway's test tsconfig cannot include another workspace's sources.

export type FridgeStatus = "ok" | "warning" | "critical" | "recovered";

export interface FridgeState {
  readonly status: FridgeStatus;
  readonly statusSince: string;
  readonly breachSince: string | null;
}

export interface FunctionRules {
  /** True for every JSON value the fridge function accepts as a reading (before the °C range check). */
  acceptsReadingBody(value: unknown): boolean;
  /** True for every JSON value the espresso counter accepts as a shot. */
  isShotPayload(value: unknown): boolean;
  toCelsius(value: number, unit: "C" | "F"): number;
  roundToTenth(celsius: number): number;
  isPlausibleCelsius(celsius: number): boolean;
  evaluate(
    previous: FridgeState | undefined,
    reading: { tempC: number; at: string },
    thresholds: { maxTempC: number; criticalTempC: number; sustainSeconds: number; hysteresisC: number },
  ): { state: FridgeState; incidentOpened: boolean; incidentClosed: boolean };
}

/** The fridge function's defaults (README: MAX_TEMP_C, CRITICAL_TEMP_C, SUSTAIN_SECONDS, HYSTERESIS_C). */
export const DEFAULT_THRESHOLDS = { maxTempC: 5, criticalTempC: 8, sustainSeconds: 300, hysteresisC: 0.5 } as const;

async function load(relative: string): Promise<Record<string, unknown>> {
  return (await import(new URL(`../../../functions/${relative}`, import.meta.url).href)) as Record<string, unknown>;
}

export async function loadFunctionRules(): Promise<FunctionRules> {
  const [schema, temperature, evaluate, shotInput] = await Promise.all([
    load("fridge-temperature/reading-schema.ts"),
    load("fridge-temperature/temperature.ts"),
    load("fridge-temperature/evaluate.ts"),
    load("espresso-counter/shot-input.ts"),
  ]);
  const rules = {
    acceptsReadingBody: schema.acceptsReadingBody,
    toCelsius: temperature.toCelsius,
    roundToTenth: temperature.roundToTenth,
    isPlausibleCelsius: temperature.isPlausibleCelsius,
    evaluate: evaluate.evaluate,
    isShotPayload: shotInput.isShotPayload,
  };
  for (const [name, value] of Object.entries(rules)) {
    // A renamed export must fail these tests loudly, not make every check pass on `undefined`.
    if (typeof value !== "function")
      throw new Error(`the functions no longer export ${name}; update function-rules.ts`);
  }
  return rules as FunctionRules;
}
