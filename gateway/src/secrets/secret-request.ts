/** The one namespace of the gateway; faas-cli may also leave it empty. */
import { NAMESPACE as SECRET_NAMESPACE } from "../runtime/function-spec.js";
import { isReservedSecretName, isSecretName } from "./secret-name.js";

export { SECRET_NAMESPACE };

/** faas-provider's `types.Secret` as it arrives in the body of POST, PUT and DELETE /system/secrets. */
export interface SecretRequest {
  readonly name: string;
  /** Present for POST and PUT: `value` as UTF-8, or `rawValue` decoded from base64. */
  readonly value?: Buffer;
}

export interface SecretRequestProblem {
  readonly status: 400 | 403;
  readonly type: string;
  readonly detail: string;
}

/** Go's encoding/json reads a []byte field (rawValue) as standard, padded base64; so do we, strictly. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads and checks a secrets request body. A problem's detail never quotes the body: a JSON parse error message
 * would repeat part of the text, and the text holds the secret.
 */
export function parseSecretRequest(body: Buffer, needsValue: boolean): SecretRequest | SecretRequestProblem {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return bad("bad-json", 'The body must be a JSON object such as {"name":"api-key","value":"..."}.');
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return bad("bad-json", "The body must be a JSON object.");
  }
  const { name, namespace, value, rawValue } = parsed as Record<string, unknown>;

  if (typeof name !== "string" || name === "") return bad("missing-name", "The body must give the secret's 'name'.");
  if (!isSecretName(name)) {
    return bad(
      "bad-secret-name",
      "A secret name is lowercase letters, digits, '-' and '.', starts and ends with a letter or digit, ≤ 253.",
    );
  }
  if (isReservedSecretName(name)) {
    return {
      status: 403,
      type: "reserved-secret",
      detail: `The secret '${name}' belongs to the gateway and cannot be used through this API.`,
    };
  }

  if (namespace !== undefined && namespace !== null && namespace !== "" && namespace !== SECRET_NAMESPACE) {
    return bad("bad-namespace", `Secrets live only in the namespace '${SECRET_NAMESPACE}'.`);
  }

  if (!needsValue) return { name };

  const hasValue = value !== undefined && value !== null;
  const hasRawValue = rawValue !== undefined && rawValue !== null;
  if (hasValue === hasRawValue) {
    return bad("bad-secret-value", "Give exactly one of 'value' (text) and 'rawValue' (base64).");
  }
  if (hasValue) {
    if (typeof value !== "string") return bad("bad-secret-value", "'value' must be a string.");
    return { name, value: Buffer.from(value, "utf8") };
  }
  if (typeof rawValue !== "string" || !BASE64.test(rawValue)) {
    return bad("bad-secret-value", "'rawValue' must be standard base64 text.");
  }
  return { name, value: Buffer.from(rawValue, "base64") };
}

export function isSecretRequestProblem(value: SecretRequest | SecretRequestProblem): value is SecretRequestProblem {
  return "status" in value;
}

function bad(type: string, detail: string): SecretRequestProblem {
  return { status: 400, type, detail };
}
