import { FUNCTION_NAMESPACE } from "./log-entry.js";
import { parseRfc3339 } from "./rfc3339.js";

/** `GET /system/logs` as faas-cli sends it (faas-provider's `logs.Request` as query parameters). */
export interface LogRequest {
  readonly name: string;
  readonly instance?: string;
  readonly tail?: number;
  readonly since?: Date;
  readonly follow: boolean;
}

export interface LogRequestError {
  readonly status: 400 | 404;
  readonly type: string;
  readonly detail: string;
}

/** The spellings Go's strconv.ParseBool accepts; faas-cli sends `true`/`false`. */
const TRUE = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const FALSE = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/**
 * Reads the query parameters. Like faas-provider, a repeated parameter counts by its last value, and an empty one
 * as absent. Unlike faas-provider (which ignores a bad `follow` and answers 422 for a bad `tail` or `since`), every
 * unreadable parameter is a 400 that names it. `namespace` may be absent, empty or `openfaas-fn`; any other
 * namespace has no functions, so it is a 404 like an unknown function.
 */
export function parseLogRequest(url: URL): LogRequest | LogRequestError {
  const param = (key: string): string | undefined => {
    const value = url.searchParams.getAll(key).at(-1);
    return value === "" ? undefined : value;
  };

  const name = param("name");
  if (name === undefined) {
    return { status: 400, type: "missing-parameter", detail: "The query parameter 'name' (the function) is required." };
  }

  const namespace = param("namespace");
  if (namespace !== undefined && namespace !== FUNCTION_NAMESPACE) {
    return {
      status: 404,
      type: "namespace-not-found",
      detail: `Functions live only in the namespace '${FUNCTION_NAMESPACE}'.`,
    };
  }

  const tailText = param("tail");
  let tail: number | undefined;
  if (tailText !== undefined) {
    tail = /^[+-]?\d{1,15}$/.test(tailText) ? Number(tailText) : Number.NaN;
    if (Number.isNaN(tail)) {
      return { status: 400, type: "bad-parameter", detail: "'tail' must be an integer (0 or negative means all)." };
    }
  }

  const sinceText = param("since");
  let since: Date | undefined;
  if (sinceText !== undefined) {
    since = parseRfc3339(sinceText);
    if (since === undefined) {
      return {
        status: 400,
        type: "bad-parameter",
        detail: "'since' must be an RFC 3339 time, e.g. 2026-11-22T10:00:00Z.",
      };
    }
  }

  const followText = param("follow");
  if (followText !== undefined && !TRUE.has(followText) && !FALSE.has(followText)) {
    return { status: 400, type: "bad-parameter", detail: "'follow' must be true or false." };
  }

  const instance = param("instance");
  return {
    name,
    follow: followText !== undefined && TRUE.has(followText),
    ...(instance === undefined ? {} : { instance }),
    ...(tail === undefined ? {} : { tail }),
    ...(since === undefined ? {} : { since }),
  };
}

export function isLogRequestError(value: LogRequest | LogRequestError): value is LogRequestError {
  return "status" in value;
}
