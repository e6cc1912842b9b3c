import { type DashboardAlert, DEVICE_ID } from "./live-event.js";

/**
 * An alert as fridge-temperature or espresso-counter POSTs it (their READMEs, "Alerts"), in the dashboard's
 * shape, or a sentence saying what is wrong with it.
 */
export function readAlert(body: Record<string, unknown>, idempotencyKey?: string): DashboardAlert | string {
  return body.type === "espresso-threshold-reached" ? readEspressoAlert(body, idempotencyKey) : readFridgeAlert(body);
}

function readFridgeAlert(body: Record<string, unknown>): DashboardAlert | string {
  const { id, kind, store, fridge, status, tempC, at, message } = body;
  if (kind !== "temperature" && kind !== "sensor-offline") {
    return 'not an alert: "kind" must be "temperature" or "sensor-offline", or "type" "espresso-threshold-reached"';
  }
  const problem =
    text("id", id, 128) ??
    device("store", store) ??
    device("fridge", fridge) ??
    text("status", status, 32) ??
    text("message", message, 200) ??
    time("at", at);
  if (problem) return problem;
  if (tempC !== undefined && (typeof tempC !== "number" || !Number.isFinite(tempC))) return '"tempC" must be a number';
  return {
    type: "alert",
    id: id as string,
    source: "fridge",
    store: store as string,
    device: fridge as string,
    status: status as string,
    message: message as string,
    at: at as string,
    ...(typeof tempC === "number" ? { tempC } : {}),
  };
}

function readEspressoAlert(body: Record<string, unknown>, idempotencyKey?: string): DashboardAlert | string {
  const { store, machine, date, count, threshold, message, reachedAt } = body;
  const problem =
    device("store", store) ??
    device("machine", machine) ??
    text("date", date, 10) ??
    text("message", message, 200) ??
    time("reachedAt", reachedAt) ??
    wholeNumber("count", count) ??
    wholeNumber("threshold", threshold);
  if (problem) return problem;
  const id = idempotencyKey && idempotencyKey.length <= 256 ? idempotencyKey : `espresso/${store}/${machine}/${date}`;
  return {
    type: "alert",
    id,
    source: "espresso",
    store: store as string,
    device: machine as string,
    status: "threshold-reached",
    message: message as string,
    at: reachedAt as string,
    count: count as number,
    threshold: threshold as number,
  };
}

function text(name: string, value: unknown, max: number): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= max
    ? undefined
    : `"${name}" must be a string of 1 to ${max} characters`;
}

function device(name: string, value: unknown): string | undefined {
  return typeof value === "string" && DEVICE_ID.test(value)
    ? undefined
    : `"${name}" must be an id of letters, digits, ".", "_" or "-" (at most 64)`;
}

function time(name: string, value: unknown): string | undefined {
  return typeof value === "string" && value.length <= 40 && Number.isFinite(Date.parse(value))
    ? undefined
    : `"${name}" must be an RFC 3339 date-time`;
}

function wholeNumber(name: string, value: unknown): string | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : `"${name}" must be a whole number`;
}
