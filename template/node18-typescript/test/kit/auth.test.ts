import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import jwt from "jsonwebtoken";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { apiKeyMatches, createAuthenticator, loadVerificationKey } from "../../src/kit/auth.js";
import { startTestServer, type TestServer } from "../../src/testing.js";

const SECRET = "a-chain-wide-hmac-secret-of-at-least-32-bytes";
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function secretsFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "secrets-"));
  dirs.push(dir);
  for (const [name, value] of Object.entries(files)) writeFileSync(path.join(dir, name), value);
  return dir;
}

const hmacFolder = secretsFolder({ "jwt-secret": SECRET, "payment-api-key": "kiosk-key-123" });
const now = () => Math.floor(Date.now() / 1000);
const claims = { iss: "coffee-edge", aud: "payment", sub: "till-7", scope: "payments:write payments:read" };
const sign = (payload: object, key: string | Buffer = SECRET, options: jwt.SignOptions = { algorithm: "HS256" }) =>
  jwt.sign({ exp: now() + 60, ...payload }, key, options);

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(mountPath: string, env: Record<string, string> = {}) {
  const auth = createAuthenticator({
    functionName: "payment",
    env,
    secrets: { mountPath },
    apiKeySecret: "payment-api-key",
    apiKeyScopes: ["payments:write"],
  });
  server = await startTestServer(async (event) => {
    const principal = await auth.authorize(event, String(event.query.scope ?? "payments:write"));
    return { subject: principal.subject, via: principal.via };
  });
  return server.url;
}

async function call(url: string, headers: Record<string, string>, scope = "payments:write") {
  const res = await fetch(`${url}/?scope=${encodeURIComponent(scope)}`, { headers });
  return {
    status: res.status,
    auth: res.headers.get("www-authenticate"),
    body: (await res.json()) as Record<string, unknown>,
  };
}

describe("Bearer JWT", () => {
  it("accepts a valid HS256 token with the scope and names its subject", async () => {
    const url = await serve(hmacFolder);
    const res = await call(url, { authorization: `Bearer ${sign(claims)}` });
    expect(res).toMatchObject({ status: 200, body: { subject: "till-7", via: "jwt" } });
  });

  it("answers 401 with a challenge for a missing, malformed, expired, unsigned or mis-addressed token", async () => {
    const url = await serve(hmacFolder);
    const bad = [
      undefined,
      "Basic dXNlcjpwYXNz",
      "Bearer not-a-jwt",
      `Bearer ${sign({ ...claims, exp: now() - 60 })}`,
      `Bearer ${jwt.sign({ ...claims }, SECRET, { algorithm: "HS256" })}`, // no exp
      `Bearer ${sign({ ...claims, iss: "someone-else" })}`,
      `Bearer ${sign({ ...claims, aud: "inventory-check" })}`,
      `Bearer ${sign(claims, "another-secret-that-is-long-enough-too")}`,
      `Bearer ${jwt.sign({ ...claims, exp: now() + 60 }, "", { algorithm: "none" })}`,
      `Bearer ${sign(claims, SECRET, { algorithm: "HS512" })}`,
    ];
    for (const header of bad) {
      const res = await call(url, header === undefined ? {} : { authorization: header });
      expect(res.status, String(header)).toBe(401);
      expect(res.auth).toMatch(/^Bearer/);
      expect(res.body.type).toBe("https://coffee-edge.dev/problems/unauthorized");
      expect(JSON.stringify(res.body)).not.toContain(SECRET);
    }
  });

  it("answers 403 naming the scope when the token lacks it", async () => {
    const url = await serve(hmacFolder);
    const res = await call(url, { authorization: `Bearer ${sign(claims)}` }, "payments:refund");
    expect(res.status).toBe(403);
    expect(res.auth).toBe('Bearer error="insufficient_scope", scope="payments:refund"');
    expect(res.body.requiredScope).toBe("payments:refund");
  });

  it("checks JWT_ISSUER and JWT_AUDIENCE when they are set", async () => {
    const url = await serve(hmacFolder, { JWT_ISSUER: "hq", JWT_AUDIENCE: "till-api" });
    expect((await call(url, { authorization: `Bearer ${sign(claims)}` })).status).toBe(401);
    const token = sign({ ...claims, iss: "hq", aud: "till-api" });
    expect((await call(url, { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it("with an RSA public key accepts RS256 only: an HS256 token signed with the public key is refused", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const url = await serve(secretsFolder({ "jwt-public-key": pem }));
    const rs = sign(claims, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), { algorithm: "RS256" });
    expect((await call(url, { authorization: `Bearer ${rs}` })).status).toBe(200);
    // The classic confusion attack: the public key used as an HMAC secret. jsonwebtoken itself refuses to
    // sign that, so build the token by hand.
    const { createHmac } = await import("node:crypto");
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ ...claims, exp: now() + 60 })}`;
    const forged = `${unsigned}.${createHmac("sha256", pem).update(unsigned).digest("base64url")}`;
    expect((await call(url, { authorization: `Bearer ${forged}` })).status).toBe(401);
  });

  it("with a P-256 public key accepts ES256", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const key = await loadVerificationKey({ mountPath: secretsFolder({ "jwt-public-key": pem }) });
    expect(key.algorithms).toEqual(["ES256"]);
    const url = await serve(secretsFolder({ "jwt-public-key": pem }));
    const token = sign(claims, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), { algorithm: "ES256" });
    expect((await call(url, { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it("answers 503, not 401, when no verification key is mounted, and refuses a short HMAC secret", async () => {
    const url = await serve(secretsFolder({}));
    const res = await call(url, { authorization: `Bearer ${sign(claims)}` });
    expect(res.status).toBe(503);
    expect(res.body.type).toBe("https://coffee-edge.dev/problems/auth-not-configured");
    await expect(loadVerificationKey({ mountPath: secretsFolder({ "jwt-secret": "short" }) })).rejects.toThrow(
      /at least 32 bytes/,
    );
  });
});

describe("X-Api-Key", () => {
  it("grants the key's scopes, and only those", async () => {
    const url = await serve(hmacFolder);
    expect((await call(url, { "x-api-key": "kiosk-key-123" })).body).toEqual({ subject: "api-key", via: "api-key" });
    expect((await call(url, { "x-api-key": "kiosk-key-123" }, "payments:refund")).status).toBe(403);
    expect((await call(url, { "x-api-key": "kiosk-key-12" })).status).toBe(401);
    expect((await call(url, { "x-api-key": "kiosk-key-1234" })).status).toBe(401);
  });

  it("compares keys whatever their lengths, without throwing", () => {
    expect(apiKeyMatches("abc", "abc")).toBe(true);
    expect(apiKeyMatches("abc", "abcd")).toBe(false);
    expect(apiKeyMatches("", "abc")).toBe(false);
    expect(apiKeyMatches(undefined, "abc")).toBe(false);
    expect(apiKeyMatches("abc", "")).toBe(false);
  });
});
