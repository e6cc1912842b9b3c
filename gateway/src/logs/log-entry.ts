/** Every function lives in this one namespace: the gateway is a single-machine stand-in for faas-netes. */
import { NAMESPACE as FUNCTION_NAMESPACE } from "../runtime/function-spec.js";

export { FUNCTION_NAMESPACE };

/** One line of a function's log, in the shape faas-provider's `logs.Message` has on the wire. */
export interface LogEntry {
  readonly name: string;
  readonly namespace: typeof FUNCTION_NAMESPACE;
  readonly instance: string;
  /** RFC 3339 in UTC with nine fraction digits (`2026-11-22T10:00:00.123000000Z`), as Go's time.Time parses it. */
  readonly timestamp: string;
  readonly text: string;
}

/**
 * Function names are Kubernetes object names (lowercase DNS subdomain). The log book also uses the name as a
 * file name, and this pattern cannot spell a path: no slash, no leading dot, so no `..`.
 */
const FUNCTION_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const MAX_FUNCTION_NAME_LENGTH = 253;

export function isFunctionName(name: string): boolean {
  return name.length <= MAX_FUNCTION_NAME_LENGTH && FUNCTION_NAME.test(name);
}

/**
 * A JavaScript clock has millisecond precision; the six extra zeros make every timestamp the same length (so they
 * also sort as text) and match the nanosecond precision Go clients expect.
 */
export function formatTimestamp(at: Date): string {
  const ms = at.getTime();
  // Lines come in bursts (a replica writes many at once): most share their millisecond with the previous one.
  if (ms !== lastMs) {
    lastMs = ms;
    lastText = `${at.toISOString().slice(0, -1)}000000Z`;
  }
  return lastText;
}

let lastMs = Number.NaN;
let lastText = "";
