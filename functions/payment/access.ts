import { type FunctionEvent, ProblemError, problemType } from "@coffee-edge/node18-typescript";
import { type Authenticator, type Principal, unauthorized } from "@coffee-edge/node18-typescript/auth";
import { headerValue } from "@coffee-edge/node18-typescript/request";

export const SCOPES = {
  write: "payments:write",
  read: "payments:read",
  refund: "payments:refund",
} as const;

/** What a kiosk's `X-Api-Key` (secret `payment-api-key`) may do: take payments and look them up, not refund. */
export const API_KEY_SCOPES: readonly string[] = [SCOPES.write, SCOPES.read];

/**
 * Authorizes the request for one of `scopes` (the first the principal holds). A request without any
 * credential is a 401 at once, before any key is loaded: a function whose secrets are not mounted yet still
 * answers "who are you?" rather than 503 to an anonymous caller.
 */
export async function authorizeAny(
  authenticator: Authenticator,
  event: Pick<FunctionEvent, "headers">,
  scopes: readonly [string, ...string[]],
): Promise<Principal> {
  if (headerValue(event, "authorization") === undefined && headerValue(event, "x-api-key") === undefined) {
    throw unauthorized("Send Authorization: Bearer <token>, or a kiosk's X-Api-Key.");
  }
  if (scopes.length === 1) return authenticator.authorize(event, scopes[0]);
  for (const scope of scopes) {
    try {
      return await authenticator.authorize(event, scope);
    } catch (error) {
      // Only "authenticated, but without this scope" lets the next scope be tried; a 401 or 503 is final.
      if (!(error instanceof ProblemError) || error.status !== 403) throw error;
    }
  }
  throw insufficientScope(scopes);
}

function insufficientScope(scopes: readonly string[]): ProblemError {
  return new ProblemError(403, {
    type: problemType("insufficient-scope"),
    title: "Insufficient scope",
    detail: `This operation needs one of the scopes ${scopes.join(", ")}.`,
    extensions: { requiredScope: scopes.join(" ") },
    headers: { "www-authenticate": `Bearer error="insufficient_scope", scope="${scopes.join(" ")}"` },
  });
}
