import type { FunctionEvent } from "../types.js";

/** One header's value as a string: the first when repeated, undefined when absent or empty. */
export function headerValue(event: Pick<FunctionEvent, "headers">, name: string): string | undefined {
  const raw = event.headers[name.toLowerCase()];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined || value === "" ? undefined : value;
}

/** One query parameter as a string: the first when repeated, undefined when absent or empty. */
export function queryValue(event: Pick<FunctionEvent, "query">, name: string): string | undefined {
  const raw = event.query[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined || value === "" ? undefined : value;
}

/** The connector that invoked the function (`X-Connector`), e.g. `cron-connector` or `mqtt-connector`. */
export function connectorOf(event: Pick<FunctionEvent, "headers">): string | undefined {
  return headerValue(event, "x-connector");
}

/** Path segments without empty ones: `/payments/42/refund` → `["payments", "42", "refund"]`. */
export function pathSegments(event: Pick<FunctionEvent, "path">): string[] {
  return event.path.split("/").filter((segment) => segment !== "");
}
