import { type FunctionEvent, ProblemError, problemType } from "@coffee-edge/node18-typescript";
import { headerValue } from "@coffee-edge/node18-typescript/request";
import { createValidator, type FromSchema } from "@coffee-edge/node18-typescript/validation";
import { ID_PATTERN, type MachineRef, machineFromTopic } from "./topic.js";

/** At most this many shots in one event: a double-double is 4; 20 leaves room without letting a typo count 1000. */
export const MAX_SHOTS_PER_EVENT = 20;

export const shotEventSchema = {
  type: "object",
  additionalProperties: false,
  required: ["id", "shots"],
  properties: {
    // Printable ASCII: UUIDs, ULIDs and sensor counters fit; control characters and huge ids do not.
    id: { type: "string", minLength: 1, maxLength: 128, pattern: "^[\\x21-\\x7E]+$" },
    shots: { type: "integer", minimum: 1, maximum: MAX_SHOTS_PER_EVENT },
    ts: { type: "string", format: "date-time", maxLength: 40 },
    store: { type: "string", maxLength: 64, pattern: ID_PATTERN },
    machine: { type: "string", maxLength: 64, pattern: ID_PATTERN },
  },
} as const;

export type ShotEvent = FromSchema<typeof shotEventSchema>;

/** The bare-integer payload: that many shots, no id. */
export const shotCountSchema = { type: "integer", minimum: 1, maximum: MAX_SHOTS_PER_EVENT } as const;

export const shotEventValidator = createValidator(shotEventSchema);
export const shotCountValidator = createValidator(shotCountSchema);

/** True for every payload the function accepts (the bad-input test uses it to drop valid bodies). */
export function isShotPayload(value: unknown): boolean {
  return shotCountValidator.check(value) || shotEventValidator.check(value);
}

/** One shot event, whatever form it came in, with its machine resolved and its instant fixed. */
export interface Shot extends MachineRef {
  /** Absent for a bare integer: such events cannot be deduplicated and are always counted. */
  readonly id: string | undefined;
  readonly shots: number;
  readonly at: Date;
}

/** Events stamped before this are a sensor with a reset clock, not a shot we can place on a day. */
const EARLIEST = Date.UTC(2000, 0, 1);
/** How far ahead of our clock a sensor's clock may run before its stamp is refused. */
const MAX_CLOCK_AHEAD_MS = 24 * 60 * 60 * 1000;

/** Reads a shot from a request: a JSON event or a bare integer, its machine from the topic or the payload. */
export function readShot(event: Pick<FunctionEvent, "body" | "headers">, now: Date): Shot {
  const payload = payloadOf(event);
  if (typeof payload === "number") {
    const shots = shotCountValidator.parse(payload);
    return { ...machineOf(event, undefined), id: undefined, shots, at: now };
  }
  const parsed = shotEventValidator.parse(payload);
  return { ...machineOf(event, parsed), id: parsed.id, shots: parsed.shots, at: instantOf(parsed.ts, now) };
}

/**
 * The payload as a JSON value. The MQTT connector sends its configured content type (application/json by
 * default), so a JSON body arrives parsed; with `text/plain` or no content type the same text arrives as a
 * string, and a bare integer such as `2` is JSON too, so strings are read as JSON.
 */
function payloadOf(event: Pick<FunctionEvent, "body" | "headers">): unknown {
  const body = event.body;
  if (body === undefined) {
    throw invalidPayload("The body is empty: send a shot event or a whole number of shots.");
  }
  if (Buffer.isBuffer(body)) {
    throw new ProblemError(415, {
      type: problemType("unsupported-media-type"),
      title: "Unsupported media type",
      detail: "Send the shot as application/json, or as text/plain holding JSON or a whole number.",
    });
  }
  // A string from a JSON content type is a JSON string such as "3": not a number of shots.
  if (typeof body !== "string" || isJsonMediaType(headerValue(event, "content-type"))) return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw invalidPayload("The text body is neither a whole number of shots nor a JSON shot event.");
  }
}

function isJsonMediaType(contentType: string | undefined): boolean {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

function invalidPayload(detail: string): ProblemError {
  return new ProblemError(400, {
    type: problemType("invalid-request"),
    title: "Request does not match its schema",
    detail,
  });
}

/** The topic names the machine; a payload may name it too (HTTP callers), but must then agree. */
function machineOf(event: Pick<FunctionEvent, "headers">, payload: ShotEvent | undefined): MachineRef {
  const topic = headerValue(event, "x-topic");
  const fromTopic = topic === undefined ? undefined : machineFromTopic(topic);
  const store = fromTopic?.store ?? payload?.store;
  const machine = fromTopic?.machine ?? payload?.machine;
  if (store === undefined || machine === undefined) {
    throw new ProblemError(400, {
      type: problemType("missing-machine"),
      title: "Which machine?",
      detail:
        "Name the machine in the X-Topic header (store/{storeId}/espresso/{machineId}/shot) or in the payload's store and machine.",
    });
  }
  const payloadStore = payload?.store ?? store;
  const payloadMachine = payload?.machine ?? machine;
  if (payloadStore !== store || payloadMachine !== machine) {
    throw new ProblemError(400, {
      type: problemType("topic-mismatch"),
      title: "Topic and payload disagree",
      detail: `The topic names ${store}/${machine}, the payload ${payloadStore}/${payloadMachine}.`,
      extensions: { topic: { store, machine }, payload: { store: payloadStore, machine: payloadMachine } },
    });
  }
  return { store, machine };
}

function instantOf(ts: string | undefined, now: Date): Date {
  if (ts === undefined) return now;
  const at = new Date(ts);
  const ms = at.getTime();
  if (!Number.isFinite(ms) || ms < EARLIEST || ms > now.getTime() + MAX_CLOCK_AHEAD_MS) {
    throw new ProblemError(400, {
      type: problemType("invalid-timestamp"),
      title: "Timestamp out of range",
      detail: "ts must be an RFC 3339 date-time from 2000 on and at most one day ahead of the function's clock.",
      extensions: { errors: [{ pointer: "/ts", detail: "is out of range", keyword: "range" }] },
    });
  }
  return at;
}
