import { DEVICE_ID, type EspressoShot, type FridgeReading } from "./live-event.js";

const FRIDGE_TOPIC = /^store\/([^/]+)\/fridge\/([^/]+)\/temp$/;
const ESPRESSO_TOPIC = /^store\/([^/]+)\/espresso\/([^/]+)\/shot$/;

/**
 * Reads a sensor's MQTT message the way fridge-temperature and espresso-counter read it (design §5 topics and
 * payloads): a fridge sends `{"temp","unit"?,"ts"?}` or a bare number (°C, stack.yml's DEFAULT_UNIT); a machine
 * sends `{"id","shots","ts"?}` or a bare integer. Anything else, or an implausible value, is undefined: the
 * function answers it with a 400 and the page has nothing to draw.
 */
export function parseSensorMessage(
  topic: string,
  payload: Buffer,
  now = Date.now(),
): FridgeReading | EspressoShot | undefined {
  const fridge = FRIDGE_TOPIC.exec(topic);
  if (fridge) {
    const [, store, id] = fridge as unknown as [string, string, string];
    if (!DEVICE_ID.test(store) || !DEVICE_ID.test(id)) return undefined;
    const reading = readTemperature(parseJson(payload), now);
    return reading && { type: "reading", store, fridge: id, ...reading };
  }
  const espresso = ESPRESSO_TOPIC.exec(topic);
  if (espresso) {
    const [, store, machine] = espresso as unknown as [string, string, string];
    if (!DEVICE_ID.test(store) || !DEVICE_ID.test(machine)) return undefined;
    const shot = readShots(parseJson(payload), now);
    return shot && { type: "shot", store, machine, ...shot };
  }
  return undefined;
}

function parseJson(payload: Buffer): unknown {
  if (payload.length > 4096) return undefined;
  try {
    return JSON.parse(payload.toString("utf8"));
  } catch {
    return undefined;
  }
}

function readTemperature(value: unknown, now: number): { tempC: number; ts: number } | undefined {
  const body = typeof value === "number" ? { temp: value } : value;
  if (typeof body !== "object" || body === null) return undefined;
  const { temp, unit = "C", ts } = body as Record<string, unknown>;
  if (typeof temp !== "number" || !Number.isFinite(temp) || (unit !== "C" && unit !== "F")) return undefined;
  const celsius = unit === "F" ? ((temp - 32) * 5) / 9 : temp;
  const tempC = Math.round(celsius * 10) / 10;
  // fridge-temperature's plausibility bounds: a reading outside them is refused there.
  if (tempC < -50 || tempC > 60) return undefined;
  return { tempC, ts: readTimestamp(ts, now) };
}

function readShots(value: unknown, now: number): { shots: number; ts: number } | undefined {
  const body = typeof value === "number" ? { shots: value } : value;
  if (typeof body !== "object" || body === null) return undefined;
  const { shots, ts } = body as Record<string, unknown>;
  if (typeof shots !== "number" || !Number.isInteger(shots) || shots < 1 || shots > 20) return undefined;
  return { shots, ts: readTimestamp(ts, now) };
}

/** The payload's time when it has a usable one, else the time it arrived (as the functions default it). */
function readTimestamp(ts: unknown, now: number): number {
  if (typeof ts !== "string") return now;
  const parsed = Date.parse(ts);
  return Number.isFinite(parsed) && parsed <= now + 5 * 60_000 ? parsed : now;
}
