import type { FunctionEvent } from "@coffee-edge/node18-typescript";
import { headerValue } from "@coffee-edge/node18-typescript/request";
import {
  conflictingFridge,
  fridgeNotIdentified,
  implausibleTemperature,
  invalidBody,
  invalidTimestamp,
  invalidTopic,
  unsupportedMediaType,
} from "./problems.js";
import { bareReading, type ReadingObject, readingObject } from "./reading-schema.js";
import { isPlausibleCelsius, roundToTenth, type TemperatureUnit, toCelsius } from "./temperature.js";
import { type FridgeId, parseFridgeTopic } from "./topic.js";

/** One validated reading, in °C, stamped, and attributed to its fridge. */
export interface Reading extends FridgeId {
  /** °C rounded to 0.1: the value evaluated, stored and answered. */
  readonly tempC: number;
  /** ISO 8601 in UTC: the payload's `ts`, or the time it arrived. */
  readonly at: string;
}

export interface ReadingContext {
  readonly defaultUnit: TemperatureUnit;
  readonly now: Date;
}

/** A sensor clock this far ahead of ours is wrong; its readings would make every later one look out of order. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** A bare number sent as text: plain decimal notation, as sensors print it. */
const DECIMAL_TEXT = /^-?\d{1,5}(?:\.\d{1,6})?$/;

/** Reads the request into a Reading, or throws the 4xx problem that says what is wrong with it. */
export function readingFromEvent(event: FunctionEvent, context: ReadingContext): Reading {
  const payload = payloadOf(event);
  const unit = payload.unit ?? context.defaultUnit;
  const exactC = toCelsius(payload.temp, unit);
  if (!isPlausibleCelsius(exactC)) throw implausibleTemperature(exactC);
  return {
    ...fridgeOf(headerValue(event, "x-topic"), payload),
    tempC: roundToTenth(exactC),
    at: timestampOf(payload.ts, context.now),
  };
}

/** The body as the object form, whichever form it came in. */
function payloadOf(event: FunctionEvent): ReadingObject {
  const { body } = event;
  if (body === undefined) throw invalidBody('The body is empty: send {"temp": 4.2, …} or a bare number.');
  if (Buffer.isBuffer(body)) throw unsupportedMediaType();
  if (typeof body === "number") return { temp: bareReading.parse(body) };
  if (typeof body === "string") {
    // A JSON string is not a number, even one that looks like it; plain text holding a number is.
    if (isJson(event)) throw invalidBody("A JSON body must be an object or a bare number, not a string.");
    const text = body.trim();
    if (!DECIMAL_TEXT.test(text)) throw invalidBody("A text body must hold one decimal number, e.g. 4.2.");
    return { temp: bareReading.parse(Number(text)) };
  }
  if (typeof body === "object" && body !== null && !Array.isArray(body)) return readingObject.parse(body);
  throw invalidBody('The body must be an object such as {"temp": 4.2} or a bare number.');
}

function isJson(event: FunctionEvent): boolean {
  const type = (headerValue(event, "content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || type.endsWith("+json");
}

/** The topic names the fridge when the MQTT connector delivered the reading; the body may name it too. */
function fridgeOf(topicHeader: string | undefined, payload: ReadingObject): FridgeId {
  const fromTopic = topicHeader === undefined ? undefined : parseFridgeTopic(topicHeader);
  if (topicHeader !== undefined && fromTopic === undefined) throw invalidTopic();
  const { store, fridge } = payload;
  if (fromTopic) {
    if ((store !== undefined && store !== fromTopic.store) || (fridge !== undefined && fridge !== fromTopic.fridge)) {
      throw conflictingFridge(fromTopic);
    }
    return fromTopic;
  }
  if (store === undefined || fridge === undefined) throw fridgeNotIdentified();
  return { store, fridge };
}

function timestampOf(ts: string | undefined, now: Date): string {
  if (ts === undefined) return now.toISOString();
  const ms = Date.parse(ts);
  // The schema checked the format; Date.parse still refuses a few (a leap second such as 23:59:60).
  if (Number.isNaN(ms)) throw invalidTimestamp(`ts ${JSON.stringify(ts)} is not a time this function can use.`);
  if (ms > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw invalidTimestamp(`ts ${new Date(ms).toISOString()} is in the future (now ${now.toISOString()}).`);
  }
  return new Date(ms).toISOString();
}
