import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/**
 * faas-provider's basic auth: credentials from `basic-auth-user` / `basic-auth-password`, compared in
 * constant time (digests first, so the lengths do not leak either); a failure is 401 with
 * `WWW-Authenticate: Basic realm="Restricted"`. Returns whether the request may go on.
 */
export function checkBasicAuth(credentials: Credentials, req: IncomingMessage, res: ServerResponse): boolean {
  const header = req.headers.authorization ?? "";
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match) {
    const decoded = Buffer.from(match[1] as string, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon >= 0) {
      const userOk = sameText(decoded.slice(0, colon), credentials.user);
      const passwordOk = sameText(decoded.slice(colon + 1), credentials.password);
      if (userOk && passwordOk) return true;
    }
  }
  const body = JSON.stringify({
    type: "https://coffee-edge.dev/problems/unauthorized",
    title: "Unauthorized",
    status: 401,
    detail: "invalid credentials",
  });
  res.writeHead(401, {
    "WWW-Authenticate": 'Basic realm="Restricted"',
    "Content-Type": "application/problem+json",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
  return false;
}

function sameText(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
