import { ProblemError, problemType } from "@coffee-edge/node18-typescript";

/** The problems fridge-temperature answers itself (the kit's invalid-request and unsupported-media-type aside). */

export function invalidBody(detail: string): ProblemError {
  return new ProblemError(400, {
    type: problemType("invalid-request"),
    title: "Request does not match its schema",
    detail,
    extensions: { errors: [{ pointer: "", detail, keyword: "type" }] },
  });
}

export function unsupportedMediaType(): ProblemError {
  return new ProblemError(415, {
    type: problemType("unsupported-media-type"),
    title: "Unsupported media type",
    detail: 'Send the reading as application/json ({"temp": 4.2}) or as text/plain holding a number.',
  });
}

export function implausibleTemperature(tempC: number): ProblemError {
  return new ProblemError(400, {
    type: problemType("implausible-temperature"),
    title: "Temperature out of the plausible range",
    detail: `${Math.round(tempC * 10) / 10} °C is not a temperature a fridge sensor reports; check the sensor and the unit.`,
    extensions: { tempC: Math.round(tempC * 10) / 10 },
  });
}

export function invalidTimestamp(detail: string): ProblemError {
  return new ProblemError(400, {
    type: problemType("invalid-timestamp"),
    title: "Unusable reading timestamp",
    detail,
  });
}

export function fridgeNotIdentified(): ProblemError {
  return new ProblemError(400, {
    type: problemType("fridge-not-identified"),
    title: "Which fridge?",
    detail:
      'Publish on store/{storeId}/fridge/{fridgeId}/temp (the connector passes it as X-Topic) or send "store" and "fridge" in the body.',
  });
}

export function invalidTopic(): ProblemError {
  return new ProblemError(400, {
    type: problemType("invalid-topic"),
    title: "Unexpected topic",
    detail: "X-Topic must be store/{storeId}/fridge/{fridgeId}/temp with ids of letters, digits, '.', '_' or '-'.",
  });
}

export function conflictingFridge(topic: { store: string; fridge: string }): ProblemError {
  return new ProblemError(400, {
    type: problemType("conflicting-fridge-id"),
    title: "Topic and body name different fridges",
    detail: `The topic names store ${topic.store}, fridge ${topic.fridge}; the body names another. Send one, or the same.`,
    extensions: { topic },
  });
}

export function invalidStoreQuery(): ProblemError {
  return new ProblemError(400, {
    type: problemType("invalid-query"),
    title: "Invalid query",
    detail: "GET needs ?store=<storeId> (letters, digits, '.', '_' or '-', at most 64 characters).",
    extensions: { parameter: "store" },
  });
}

export function notFound(path: string): ProblemError {
  return new ProblemError(404, {
    type: problemType("not-found"),
    title: "Not found",
    detail: `fridge-temperature answers on / only, not ${path.slice(0, 100)}.`,
  });
}

export function methodNotAllowed(method: string): ProblemError {
  return new ProblemError(405, {
    type: problemType("method-not-allowed"),
    title: "Method not allowed",
    detail: `${method.slice(0, 20)} is not supported: POST a reading, or GET ?store=<storeId> for the status.`,
    headers: { allow: "GET, HEAD, POST" },
  });
}

export function storeUnavailable(cause: unknown): ProblemError {
  return new ProblemError(503, {
    type: problemType("store-unavailable"),
    title: "Store unavailable",
    detail: "The fridge state cannot be reached right now; retry shortly.",
    headers: { "retry-after": "5" },
    cause,
  });
}
