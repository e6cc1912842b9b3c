import type { Random } from "./random.js";

/**
 * The fridge-temperature function's default rules (MAX_TEMP_C 5, CRITICAL_TEMP_C 8, HYSTERESIS_C 0.5). The
 * simulator keeps every reading well clear of these edges, so neither the function's rounding to 0.1 °C nor
 * a °F round trip can turn a calm reading into a breach or a warm one into a calm one.
 */
export const FRIDGE_RULES_C = { warningAbove: 5, criticalAt: 8, recoveredBelow: 4.5 } as const;

const SET_POINT_C = 4;
const CALM_RANGE_C = { min: 2, max: 4.6 } as const;
const WARM_RANGE_C = { min: 5.8, max: 7 } as const;
const CRITICAL_RANGE_C = { min: 8.5, max: 9.5 } as const;
/** Where a fridge lands after an episode: below `recoveredBelow`, so the function reports `recovered`. */
const RECOVERED_RANGE_C = { min: 3.2, max: 3.8 } as const;
const CRITICAL_EPISODE_CHANCE = 1 / 3;
const CRITICAL_READINGS = 2;

export type TemperatureUnit = "C" | "F";

export interface FridgeSensor {
  readonly store: string;
  readonly fridge: string;
  readonly unit: TemperatureUnit;
  tempC: number;
  episode: WarmEpisode | undefined;
}

/**
 * A fridge above `warningAbove` for `warmDurationMs` by its readings' timestamps (a door left open), so the
 * function sees a sustained breach and raises a warning; a critical episode then peaks above `criticalAt`
 * for a few readings (an escalation in the same incident). The reading after the episode is back below
 * `recoveredBelow`.
 */
interface WarmEpisode {
  readonly critical: boolean;
  firstWarmAt: number | undefined;
  criticalReadingsLeft: number;
}

export interface FridgeTemperature {
  readonly tempC: number;
  /** Part of a warm episode: above `warningAbove`. */
  readonly warm: boolean;
  /** This was the episode's last warm reading. */
  readonly episodeEnded: boolean;
}

export function newFridge(store: string, fridge: string, unit: TemperatureUnit, random: Random): FridgeSensor {
  return { store, fridge, unit, tempC: random.between(3, 4.5), episode: undefined };
}

export function startWarmEpisode(sensor: FridgeSensor, random: Random): void {
  sensor.episode = {
    critical: random.chance(CRITICAL_EPISODE_CHANCE),
    firstWarmAt: undefined,
    criticalReadingsLeft: CRITICAL_READINGS,
  };
}

/** The fridge's temperature for a reading taken at `at` (ms), moving the fridge's state on. */
export function nextTemperature(
  sensor: FridgeSensor,
  at: number,
  warmDurationMs: number,
  random: Random,
): FridgeTemperature {
  const episode = sensor.episode;
  if (episode === undefined) {
    // A random walk pulled back towards the set point: calm readings wander but never breach.
    const drift = 0.3 * (SET_POINT_C - sensor.tempC) + random.between(-0.3, 0.3);
    sensor.tempC = clamp(sensor.tempC + drift, CALM_RANGE_C.min, CALM_RANGE_C.max);
    return { tempC: sensor.tempC, warm: false, episodeEnded: false };
  }
  episode.firstWarmAt ??= at;
  const sustained = at - episode.firstWarmAt >= warmDurationMs;
  if (!sustained) return { tempC: random.between(WARM_RANGE_C.min, WARM_RANGE_C.max), warm: true, episodeEnded: false };
  let tempC: number;
  if (episode.critical) {
    tempC = random.between(CRITICAL_RANGE_C.min, CRITICAL_RANGE_C.max);
    episode.criticalReadingsLeft--;
  } else {
    tempC = random.between(WARM_RANGE_C.min, WARM_RANGE_C.max);
  }
  const episodeEnded = !episode.critical || episode.criticalReadingsLeft === 0;
  if (episodeEnded) {
    sensor.episode = undefined;
    sensor.tempC = random.between(RECOVERED_RANGE_C.min, RECOVERED_RANGE_C.max);
  }
  return { tempC, warm: true, episodeEnded };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
