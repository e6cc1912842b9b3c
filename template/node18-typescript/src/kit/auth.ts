import { createHash, createPublicKey, createSecretKey, type KeyObject, timingSafeEqual } from "node:crypto";
import jwt from "jsonwebtoken";
import { ProblemError, problemType } from "../problem.js";
import { readSecret, SecretNotFoundError, type SecretOptions } from "../secrets.js";
import type { FunctionEvent } from "../types.js";
import { type Env, envString } from "./env.js";
import { headerValue } from "./request.js";

/** The chain-wide secrets that hold the token verification key: one of the two is mounted. */
export const JWT_SECRET_NAME = "jwt-secret";
export const JWT_PUBLIC_KEY_NAME = "jwt-public-key";

export interface Principal {
  /** `sub` of the token, or `api-key` for a kiosk's key. */
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
  readonly via: "jwt" | "api-key";
}

export interface VerificationKey {
  /**
   * A KeyObject made once: given a string, jsonwebtoken would try it as a PEM public key on every request
   * (an exception each time for an HMAC secret), which cost a third of payment's CPU.
   */
  readonly key: KeyObject;
  /** Exactly one family, so a token can never pick HS256 with a public key as its secret. */
  readonly algorithms: jwt.Algorithm[];
}

export interface TokenPolicy {
  readonly issuer: string;
  readonly audience: string;
}

/** `JWT_ISSUER` (default `coffee-edge`) and `JWT_AUDIENCE` (default: the function's own name). */
export function tokenPolicy(env: Env, functionName: string): TokenPolicy {
  return {
    issuer: envString(env, "JWT_ISSUER", "coffee-edge"),
    audience: envString(env, "JWT_AUDIENCE", functionName),
  };
}

/**
 * Reads the verification key from the function's secrets: `jwt-public-key` (PEM; RS256 for an RSA key,
 * ES256 for a P-256 key) when mounted, else `jwt-secret` (HS256). The public key wins when both are
 * mounted, because asymmetric keys let functions verify without being able to mint tokens.
 */
export async function loadVerificationKey(options: SecretOptions = {}): Promise<VerificationKey> {
  const pem = await optionalSecret(JWT_PUBLIC_KEY_NAME, options);
  if (pem !== undefined) return publicVerificationKey(pem);
  const secret = await optionalSecret(JWT_SECRET_NAME, options);
  if (secret !== undefined) {
    if (Buffer.byteLength(secret) < 32) {
      throw new Error(`secret ${JWT_SECRET_NAME} is too short for HS256: use at least 32 bytes`);
    }
    return { key: createSecretKey(Buffer.from(secret, "utf8")), algorithms: ["HS256"] };
  }
  throw new Error(`neither secret ${JWT_PUBLIC_KEY_NAME} nor ${JWT_SECRET_NAME} is mounted`);
}

function publicVerificationKey(pem: string): VerificationKey {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error(`secret ${JWT_PUBLIC_KEY_NAME} is not a PEM public key`);
  }
  if (key.asymmetricKeyType === "rsa") return { key, algorithms: ["RS256"] };
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") {
    return { key, algorithms: ["ES256"] };
  }
  throw new Error(`secret ${JWT_PUBLIC_KEY_NAME}: only RSA (RS256) and P-256 (ES256) keys are accepted`);
}

async function optionalSecret(name: string, options: SecretOptions): Promise<string | undefined> {
  try {
    return await readSecret(name, options);
  } catch (error) {
    if (error instanceof SecretNotFoundError) return undefined;
    throw error;
  }
}

/**
 * Verifies `Authorization: Bearer <JWT>`: signature with the pinned algorithm, `exp` required and in the
 * future, `iss` and `aud` as the policy says; scopes come from the space-delimited `scope` claim.
 * Throws a 401 problem for anything wrong with the token (the reason stays in the detail, never the token).
 */
export function verifyBearer(header: string | undefined, key: VerificationKey, policy: TokenPolicy): Principal {
  const token = bearerToken(header);
  if (token === undefined) throw unauthorized("Send Authorization: Bearer <token>.");
  let claims: jwt.JwtPayload;
  try {
    const verified = jwt.verify(token, key.key, {
      algorithms: key.algorithms,
      issuer: policy.issuer,
      audience: policy.audience,
      clockTolerance: 5,
    });
    if (typeof verified === "string") throw new jwt.JsonWebTokenError("payload is not a JSON object");
    claims = verified;
  } catch (error) {
    throw unauthorized(tokenFailure(error), "invalid_token");
  }
  if (typeof claims.exp !== "number") throw unauthorized("The token has no expiry (exp).", "invalid_token");
  const scope = typeof claims.scope === "string" ? claims.scope : "";
  return {
    subject: typeof claims.sub === "string" ? claims.sub : "unknown",
    scopes: new Set(scope.split(" ").filter(Boolean)),
    via: "jwt",
  };
}

function tokenFailure(error: unknown): string {
  if (error instanceof jwt.TokenExpiredError) return "The token has expired.";
  if (error instanceof jwt.NotBeforeError) return "The token is not valid yet.";
  if (error instanceof jwt.JsonWebTokenError) return `The token was rejected: ${error.message}.`;
  return "The token was rejected.";
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-_.~+/]+=*) *$/i.exec(header ?? "");
  return match?.[1];
}

/** 403 unless the principal holds `scope`. */
export function requireScope(principal: Principal, scope: string): void {
  if (principal.scopes.has(scope)) return;
  throw new ProblemError(403, {
    type: problemType("insufficient-scope"),
    title: "Insufficient scope",
    detail: `This operation needs the scope ${scope}.`,
    extensions: { requiredScope: scope },
    headers: { "www-authenticate": `Bearer error="insufficient_scope", scope="${scope}"` },
  });
}

export function unauthorized(detail: string, error?: "invalid_token"): ProblemError {
  return new ProblemError(401, {
    type: problemType("unauthorized"),
    title: "Unauthorized",
    detail,
    headers: { "www-authenticate": error ? `Bearer error="${error}"` : "Bearer" },
  });
}

/**
 * Compares an API key in constant time. Both sides are hashed first, so neither the length of the
 * expected key nor the position of the first difference shows in the timing.
 */
export function apiKeyMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined || expected === "") return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export interface Authenticator {
  /**
   * Authenticates the request and checks `scope`: a Bearer JWT, or (when the function has one) the
   * `X-Api-Key` equal to its API-key secret, which grants `apiKeyScopes`. 401 / 403 problems otherwise.
   */
  authorize(event: Pick<FunctionEvent, "headers">, scope: string): Promise<Principal>;
}

export interface AuthenticatorOptions {
  readonly functionName: string;
  readonly env?: Env;
  readonly secrets?: SecretOptions;
  /** The secret holding the kiosk API key, e.g. `payment-api-key`; omit when the function takes none. */
  readonly apiKeySecret?: string;
  /** What an API key may do. */
  readonly apiKeyScopes?: readonly string[];
}

/**
 * Builds the function's authenticator. Keys are read from secrets at the first request and kept; a
 * missing key answers 503 (the function is misconfigured), never 401, so clients do not drop good tokens.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const policy = tokenPolicy(options.env ?? process.env, options.functionName);
  let jwtKey: Promise<VerificationKey> | undefined;
  let apiKey: Promise<string | undefined> | undefined;
  const verificationKey = () => {
    jwtKey ??= loadVerificationKey(options.secrets).catch((error: unknown) => {
      jwtKey = undefined; // read again next time: the secret may be mounted by then
      throw misconfigured(error);
    });
    return jwtKey;
  };
  const expectedApiKey = () => {
    if (options.apiKeySecret === undefined) return Promise.resolve(undefined);
    apiKey ??= optionalSecret(options.apiKeySecret, options.secrets ?? {});
    return apiKey;
  };

  return {
    async authorize(event, scope) {
      const givenKey = headerValue(event, "x-api-key");
      if (givenKey !== undefined && options.apiKeySecret !== undefined) {
        const expected = await expectedApiKey();
        if (expected === undefined || !apiKeyMatches(givenKey, expected)) {
          throw unauthorized("The API key is not valid.");
        }
        const principal: Principal = {
          subject: "api-key",
          scopes: new Set(options.apiKeyScopes ?? []),
          via: "api-key",
        };
        requireScope(principal, scope);
        return principal;
      }
      const principal = verifyBearer(headerValue(event, "authorization"), await verificationKey(), policy);
      requireScope(principal, scope);
      return principal;
    },
  };
}

function misconfigured(error: unknown): ProblemError {
  return new ProblemError(503, {
    type: problemType("auth-not-configured"),
    title: "Authentication is not configured",
    detail: "The function cannot verify tokens; its operator has been told in the log.",
    cause: error,
  });
}
