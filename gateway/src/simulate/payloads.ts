import type { TemperatureUnit } from "./fridge.js";
import type { Random } from "./random.js";

// Payloads of design §5, valid per the fridge-temperature and espresso-counter READMEs, and the malformed
// ones those functions must refuse with a 400.

export function temperatureIn(unit: TemperatureUnit, tempC: number): number {
  const value = unit === "C" ? tempC : (tempC * 9) / 5 + 32;
  return Math.round(value * 10) / 10; // sensors report a tenth of a degree
}

export function readingPayload(temp: number, unit: TemperatureUnit, at: number): string {
  return JSON.stringify({ temp, unit, ts: new Date(at).toISOString() });
}

/** A bare number means °C to a function left at its default DEFAULT_UNIT, so only °C fridges send one. */
export function bareReadingPayload(tempC: number): string {
  return JSON.stringify(tempC);
}

export function shotPayload(id: string, shots: number, at: number): string {
  return JSON.stringify({ id, shots, ts: new Date(at).toISOString() });
}

/** A bare integer: that many shots, now, with no id (so it can never be deduplicated). */
export function bareShotPayload(shots: number): string {
  return JSON.stringify(shots);
}

/** Bytes that are not even UTF-8: what a sensor with a broken serial line sends. */
const GARBAGE = Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x00, 0x7b]);

/** A reading the function refuses: bad JSON, an out-of-range value, a wrong type, or an unknown unit. */
export function malformedReadingPayload(random: Random, at: number): string | Buffer {
  const ts = new Date(at).toISOString();
  switch (random.index(5)) {
    case 0:
      return `{"temp": 4.2, "unit": "C", "ts": "${ts}"`; // truncated JSON
    case 1:
      return Buffer.from(GARBAGE);
    case 2:
      return JSON.stringify({ temp: random.chance(0.5) ? 212.5 : -80, unit: "C", ts }); // beyond −58…140
    case 3:
      return JSON.stringify({ temp: "cold", unit: "C", ts });
    default:
      return JSON.stringify({ temp: 4.2, unit: "K", ts });
  }
}

/** A shot event the function refuses: bad JSON, too few or too many shots, or a wrong type. */
export function malformedShotPayload(random: Random, id: string, at: number): string | Buffer {
  const ts = new Date(at).toISOString();
  switch (random.index(5)) {
    case 0:
      return `{"id": "${id}", "shots": 1,`; // truncated JSON
    case 1:
      return Buffer.from(GARBAGE);
    case 2:
      return JSON.stringify({ id, shots: random.chance(0.5) ? 0 : 25, ts }); // beyond 1…20
    case 3:
      return JSON.stringify({ id, shots: "one", ts });
    default:
      return JSON.stringify({ id: 42, shots: 1, ts });
  }
}
