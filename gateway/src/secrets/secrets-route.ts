import type { IncomingMessage, ServerResponse } from "node:http";
import { sendProblem } from "../http/problem.js";
import { readLimitedBody } from "./read-limited-body.js";
import { ReservedSecretError, SecretNameError } from "./secret-errors.js";
import type { SecretFolder } from "./secret-folder.js";
import { isSecretRequestProblem, parseSecretRequest, SECRET_NAMESPACE } from "./secret-request.js";

/** A secret is a key or a certificate, not a file store; faas-netes' own limit (a Kubernetes Secret) is 1 MiB. */
export const MAX_SECRET_BODY_BYTES = 1024 * 1024;
const ALLOW = "GET, POST, PUT, DELETE";

/**
 * `/system/secrets` as faas-netes answers faas-cli:
 * - GET → 200 `[{"name","namespace"}]` (never a value; `[]` when none; the gateway's own credentials not listed)
 * - POST `{"name","namespace"?,"value"|"rawValue"}` → 202, 409 if it exists
 * - PUT (same body) → 202, 404 if it does not exist
 * - DELETE `{"name"}` → 202, 404 if it does not exist
 * Problems: 400 bad JSON, missing or invalid name, not exactly one of value/rawValue, bad base64, a namespace other
 * than openfaas-fn (query or body); 403 a reserved name (the gateway's credentials); 413 a body over 1 MiB;
 * 405 any other method. An I/O failure of the folder rejects the promise: the router answers it as a 500.
 */
export async function handleSecrets(folder: SecretFolder, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? "";
  if (!["GET", "POST", "PUT", "DELETE"].includes(method)) {
    sendProblem(res, 405, {
      type: "method-not-allowed",
      detail: `/system/secrets answers ${ALLOW}.`,
      headers: { Allow: ALLOW },
    });
    return;
  }

  const namespace = new URL(req.url ?? "/", "http://gateway").searchParams.get("namespace");
  if (namespace !== null && namespace !== "" && namespace !== SECRET_NAMESPACE) {
    sendProblem(res, 400, {
      type: "bad-namespace",
      detail: `Secrets live only in the namespace '${SECRET_NAMESPACE}'.`,
    });
    return;
  }

  if (method === "GET") {
    const body = JSON.stringify(folder.list().map((name) => ({ name, namespace: SECRET_NAMESPACE })));
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
    return;
  }

  const read = await readLimitedBody(req, MAX_SECRET_BODY_BYTES);
  if (!read.ok) {
    // The rest of the body is not worth reading: answer now and close the connection.
    res.once("finish", () => req.destroy());
    sendProblem(res, 413, {
      type: "body-too-large",
      detail: `A secrets request body may hold at most ${MAX_SECRET_BODY_BYTES} bytes.`,
      headers: { Connection: "close" },
    });
    return;
  }

  const request = parseSecretRequest(read.body, method !== "DELETE");
  if (isSecretRequestProblem(request)) {
    sendProblem(res, request.status, { type: request.type, detail: request.detail });
    return;
  }
  const { name, value } = request;

  let outcome: string;
  try {
    if (method === "POST") outcome = folder.create(name, value ?? Buffer.alloc(0));
    else if (method === "PUT") outcome = folder.update(name, value ?? Buffer.alloc(0));
    else outcome = folder.remove(name);
  } catch (error) {
    // parseSecretRequest already refuses both; the folder's own check is the last line of defence.
    if (error instanceof ReservedSecretError) {
      sendProblem(res, 403, { type: "reserved-secret", detail: error.message });
      return;
    }
    if (error instanceof SecretNameError) {
      sendProblem(res, 400, { type: "bad-secret-name", detail: error.message });
      return;
    }
    throw error;
  }

  if (outcome === "exists") {
    sendProblem(res, 409, {
      type: "secret-exists",
      detail: `The secret '${name}' already exists; use PUT to change it.`,
    });
  } else if (outcome === "missing") {
    sendProblem(res, 404, { type: "secret-not-found", detail: `No secret is named '${name}'.` });
  } else {
    res.writeHead(202);
    res.end();
  }
}
