import { isErrorStatus, type ProblemBody, ProblemError, reasonPhrase } from "./problem.js";

/** How an error answer came about: `context.fail(value)` or a thrown/rejected value. */
export type FailureOrigin = "fail" | "throw";

/** The detail a client sees when the real cause must stay in the logs (stack, internal messages, secrets). */
export const GENERIC_DETAIL = "The function could not handle the request; the cause is in the function's logs.";

/**
 * Turns whatever a handler failed with into a problem body and its status.
 * - `ProblemError`: exactly as built.
 * - other `Error`s: the status they carry (`status` or `statusCode`, 4xx/5xx), else the status set before
 *   `fail` (when it is an error status), else 500; the message is shown only below 500 or with `expose: true`
 *   (the http-errors convention), never the stack.
 * - a string passed to `fail`: the detail. A plain object: its problem members, as given.
 */
export function problemFromFailure(value: unknown, contextStatus: number, origin: FailureOrigin): ProblemBody {
  if (value instanceof ProblemError) return value.toBody();
  const fallbackStatus = origin === "fail" && isErrorStatus(contextStatus) ? contextStatus : 500;

  if (value instanceof Error) {
    const carried = errorStatus(value);
    const status = carried ?? fallbackStatus;
    const exposed = status < 500 || (value as { expose?: unknown }).expose === true;
    return {
      type: "about:blank",
      title: reasonPhrase(status),
      status,
      detail: exposed ? value.message : GENERIC_DETAIL,
    };
  }
  if (typeof value === "string") {
    return { type: "about:blank", title: reasonPhrase(fallbackStatus), status: fallbackStatus, detail: value };
  }
  if (isPlainObject(value)) {
    const { status: _ignored, ...members } = value;
    return {
      ...members,
      type: typeof members.type === "string" ? members.type : "about:blank",
      title: typeof members.title === "string" ? members.title : reasonPhrase(fallbackStatus),
      status: fallbackStatus,
    };
  }
  return { type: "about:blank", title: reasonPhrase(fallbackStatus), status: fallbackStatus };
}

function errorStatus(error: Error): number | undefined {
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  if (isErrorStatus(status)) return status;
  if (isErrorStatus(statusCode)) return statusCode;
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
