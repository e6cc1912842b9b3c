export type TemperatureUnit = "C" | "F";

/**
 * What a fridge sensor can honestly report, in °C. Anything outside is a broken sensor or a bad payload,
 * and letting it in would open (or close) a food-safety incident on garbage.
 */
export const PLAUSIBLE_RANGE_C = { min: -50, max: 60 } as const;

/** The same range in °F, the loosest bound a payload in either unit can pass (−58 °F … 140 °F). */
export const PLAUSIBLE_RANGE_ANY_UNIT = {
  min: Math.min(PLAUSIBLE_RANGE_C.min, toFahrenheit(PLAUSIBLE_RANGE_C.min)),
  max: Math.max(PLAUSIBLE_RANGE_C.max, toFahrenheit(PLAUSIBLE_RANGE_C.max)),
} as const;

export function toCelsius(value: number, unit: TemperatureUnit): number {
  return unit === "C" ? value : ((value - 32) * 5) / 9;
}

function toFahrenheit(celsius: number): number {
  return (celsius * 9) / 5 + 32;
}

/**
 * Rounded to 0.1 °C, the resolution fridge sensors have. Readings are evaluated on this rounded value, so
 * the status always agrees with the temperature shown beside it (a displayed 5.0 is never "too hot").
 */
export function roundToTenth(celsius: number): number {
  const rounded = Math.round(celsius * 10) / 10;
  return rounded === 0 ? 0 : rounded; // no "-0" in answers
}

export function isPlausibleCelsius(celsius: number): boolean {
  return celsius >= PLAUSIBLE_RANGE_C.min && celsius <= PLAUSIBLE_RANGE_C.max;
}
