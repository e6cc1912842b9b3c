import { type FridgeSensor, newFridge, nextTemperature, startWarmEpisode, type TemperatureUnit } from "./fridge.js";
import type { SimulateOptions } from "./options.js";
import {
  bareReadingPayload,
  bareShotPayload,
  malformedReadingPayload,
  malformedShotPayload,
  readingPayload,
  shotPayload,
  temperatureIn,
} from "./payloads.js";
import { type Random, seededRandom } from "./random.js";
import { fridgeId, fridgeTopic, machineId, shotTopic, storeId } from "./topics.js";

export type MessageKind = "reading" | "shot" | "duplicate" | "malformed" | "warm";
export const MESSAGE_KINDS: readonly MessageKind[] = ["reading", "warm", "shot", "duplicate", "malformed"];

export interface SimulatedMessage {
  readonly topic: string;
  readonly payload: string | Buffer;
  /** `warm`: a fridge reading above the warning threshold, part of a warm episode. */
  readonly kind: MessageKind;
  readonly store: string;
  /** When the message is due, in ms since the epoch on the simulation's virtual clock; also its `ts`. */
  readonly at: number;
}

export type ScenarioOptions = Pick<
  SimulateOptions,
  "stores" | "fridges" | "machines" | "rate" | "warmEvery" | "warmDurationMs" | "duplicateEvery" | "malformedEvery"
> & { readonly seed: number };

interface EspressoMachine {
  readonly kind: "espresso";
  readonly store: string;
  readonly machine: string;
}
type Sensor = ({ readonly kind: "fridge" } & FridgeSensor) | EspressoMachine;

/** Share of calm readings from °C fridges sent as a bare number, and of shots sent as a bare integer. */
const BARE_READING_CHANCE = 0.1;
const BARE_SHOT_CHANCE = 0.05;
const DOUBLE_SHOT_CHANCE = 0.2;

/**
 * The simulation as an endless sequence of messages, pure: the same options, seed and `startAt` give the
 * same messages. Message i (from 0) is due at `startAt + i / rate` seconds. Sensors report in turn (store by
 * store, fridges then machines), so every fridge reports at a steady pace; a duplicate or malformed message
 * takes a message's place without taking a sensor's turn. Message numbers (from 1) decide the specials:
 * every `malformedEvery`th is malformed, every `duplicateEvery`th repeats the last shot event (id and all),
 * and a warm episode starts at message `warmEvery` and again `warmEvery` messages after the last one ended.
 */
export function* simulateMessages(options: ScenarioOptions, startAt: number): Generator<SimulatedMessage, never> {
  const random = seededRandom(options.seed);
  const sensors = buildSensors(options, random);
  const fridges = sensors.filter((sensor) => sensor.kind === "fridge");
  const intervalMs = 1000 / options.rate;
  let turn = 0;
  let lastShot: SimulatedMessage | undefined;
  let warmFridge: FridgeSensor | undefined;
  let nextWarmAt = options.warmEvery;

  for (let index = 0; ; index++) {
    const number = index + 1;
    const at = startAt + Math.round(index * intervalMs);
    if (warmFridge === undefined && options.warmEvery > 0 && number >= nextWarmAt && fridges.length > 0) {
      warmFridge = fridges[random.index(fridges.length)] as FridgeSensor;
      startWarmEpisode(warmFridge, random);
    }
    const sensor = sensors[turn % sensors.length] as Sensor;
    if (isNth(number, options.malformedEvery)) {
      yield malformedMessage(sensor, at, random);
      continue;
    }
    if (isNth(number, options.duplicateEvery) && lastShot !== undefined) {
      yield { ...lastShot, kind: "duplicate", at };
      continue;
    }
    turn++;
    if (sensor.kind === "espresso") {
      const shot = shotMessage(sensor, at, random);
      if (shot.withId) lastShot = shot.message;
      yield shot.message;
      continue;
    }
    const reading = readingMessage(sensor, at, options.warmDurationMs, random);
    if (reading.episodeEnded) {
      warmFridge = undefined;
      nextWarmAt = number + options.warmEvery;
    }
    yield reading.message;
  }
}

function isNth(number: number, every: number): boolean {
  return every > 0 && number % every === 0;
}

function buildSensors(options: ScenarioOptions, random: Random): Sensor[] {
  const sensors: Sensor[] = [];
  let fridgeCount = 0;
  for (let s = 1; s <= options.stores; s++) {
    const store = storeId(s);
    for (let f = 1; f <= options.fridges; f++) {
      // Every third fridge reports in °F, so both units flow through the system.
      const unit: TemperatureUnit = fridgeCount++ % 3 === 2 ? "F" : "C";
      sensors.push({ kind: "fridge", ...newFridge(store, fridgeId(f), unit, random) });
    }
    for (let m = 1; m <= options.machines; m++) sensors.push({ kind: "espresso", store, machine: machineId(m) });
  }
  return sensors;
}

function readingMessage(
  sensor: FridgeSensor,
  at: number,
  warmDurationMs: number,
  random: Random,
): { message: SimulatedMessage; episodeEnded: boolean } {
  const { tempC, warm, episodeEnded } = nextTemperature(sensor, at, warmDurationMs, random);
  const temp = temperatureIn(sensor.unit, tempC);
  // Warm readings always carry their ts: the function measures a sustained breach by them.
  const bare = !warm && sensor.unit === "C" && random.chance(BARE_READING_CHANCE);
  const payload = bare ? bareReadingPayload(temp) : readingPayload(temp, sensor.unit, at);
  const topic = fridgeTopic(sensor.store, sensor.fridge);
  return { message: { topic, payload, kind: warm ? "warm" : "reading", store: sensor.store, at }, episodeEnded };
}

function shotMessage(
  sensor: EspressoMachine,
  at: number,
  random: Random,
): { message: SimulatedMessage; withId: boolean } {
  const shots = random.chance(DOUBLE_SHOT_CHANCE) ? 2 : 1;
  const withId = !random.chance(BARE_SHOT_CHANCE);
  const payload = withId ? shotPayload(shotId(at, random), shots, at) : bareShotPayload(shots);
  const topic = shotTopic(sensor.store, sensor.machine);
  return { message: { topic, payload, kind: "shot", store: sensor.store, at }, withId };
}

/** Unique across runs (the time) and within one (the random part); printable ASCII as the function asks. */
function shotId(at: number, random: Random): string {
  return `${at.toString(36)}-${random.hex(8)}`;
}

function malformedMessage(sensor: Sensor, at: number, random: Random): SimulatedMessage {
  if (sensor.kind === "espresso") {
    const payload = malformedShotPayload(random, shotId(at, random), at);
    return { topic: shotTopic(sensor.store, sensor.machine), payload, kind: "malformed", store: sensor.store, at };
  }
  const payload = malformedReadingPayload(random, at);
  return { topic: fridgeTopic(sensor.store, sensor.fridge), payload, kind: "malformed", store: sensor.store, at };
}
