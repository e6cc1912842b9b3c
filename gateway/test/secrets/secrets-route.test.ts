import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSecretFolder, type SecretFolder } from "../../src/secrets/secret-folder.js";
import { handleSecrets, MAX_SECRET_BODY_BYTES } from "../../src/secrets/secrets-route.js";
import { cleanUp, makeTempDir, serve } from "../support/serve.js";

const SECRET_VALUE = "correct-horse-battery-staple";

async function serveFolder(): Promise<{ url: string; folder: SecretFolder; call: typeof call }> {
  const folder = openSecretFolder(path.join(await makeTempDir(), "secrets"));
  folder.ensureGatewayCredentials();
  const url = await serve((req, res) => handleSecrets(folder, req, res));
  async function call(
    method: string,
    body?: unknown,
    query = "",
  ): Promise<{ status: number; text: string; headers: Headers }> {
    const response = await fetch(`${url}/system/secrets${query}`, {
      method,
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      signal: AbortSignal.timeout(5000),
    });
    const text = await response.text();
    // No answer ever carries a value, the test's or the gateway's password.
    expect(text).not.toContain(SECRET_VALUE);
    expect(text).not.toContain(folder.readGatewayCredentials().password);
    return { status: response.status, text, headers: response.headers };
  }
  return { url, folder, call };
}

async function expectProblem(
  answer: Promise<{ status: number; text: string; headers: Headers }>,
  status: number,
  type: string,
): Promise<void> {
  const { status: got, text, headers } = await answer;
  expect(got).toBe(status);
  expect(headers.get("content-type")).toBe("application/problem+json");
  expect(JSON.parse(text)).toMatchObject({ type: `https://coffee-edge.dev/problems/${type}`, status });
}

/** Sends a body with node:http, so the test decides Content-Length or chunked and how much is written. */
function rawPost(url: string, chunks: Buffer[], headers: Record<string, string | number>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/system/secrets`, { method: "POST", headers, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    // After the 413 the server closes the connection; a write still in flight may then fail. Only the status counts.
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

afterEach(cleanUp);

describe("/system/secrets", () => {
  it("lists no secrets as [] — the gateway's own credentials are never listed", async () => {
    const { call } = await serveFolder();
    const { status, text, headers } = await call("GET");
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(text)).toEqual([]);
  });

  it("creates (202), refuses to create twice (409), and lists names with the namespace but never values", async () => {
    const { call, folder } = await serveFolder();
    expect((await call("POST", { name: "api-key", value: SECRET_VALUE })).status).toBe(202);
    expect(readFileSync(path.join(folder.dir, "api-key"), "utf8")).toBe(SECRET_VALUE);
    await expectProblem(
      call("POST", { name: "api-key", namespace: "openfaas-fn", value: "other" }),
      409,
      "secret-exists",
    );
    expect(readFileSync(path.join(folder.dir, "api-key"), "utf8")).toBe(SECRET_VALUE);

    const listed = await call("GET", undefined, "?namespace=openfaas-fn");
    expect(JSON.parse(listed.text)).toEqual([{ name: "api-key", namespace: "openfaas-fn" }]);
  });

  it("updates an existing secret (202) and answers 404 for a missing one", async () => {
    const { call, folder } = await serveFolder();
    await call("POST", { name: "token", value: "v1" });
    expect((await call("PUT", { name: "token", value: SECRET_VALUE })).status).toBe(202);
    expect(readFileSync(path.join(folder.dir, "token"), "utf8")).toBe(SECRET_VALUE);
    await expectProblem(call("PUT", { name: "ghost", value: "v" }), 404, "secret-not-found");
    expect(folder.has("ghost")).toBe(false);
  });

  it("removes a secret (202) and answers 404 the second time", async () => {
    const { call, folder } = await serveFolder();
    await call("POST", { name: "token", value: "v" });
    expect((await call("DELETE", { name: "token" })).status).toBe(202);
    expect(folder.has("token")).toBe(false);
    await expectProblem(call("DELETE", { name: "token" }), 404, "secret-not-found");
    expect(JSON.parse((await call("GET")).text)).toEqual([]);
  });

  it("stores rawValue (base64) byte for byte", async () => {
    const { call, folder } = await serveFolder();
    const bytes = Buffer.concat([randomBytes(64), Buffer.from([0xff, 0xfe, 0x00])]);
    expect((await call("POST", { name: "cert", rawValue: bytes.toString("base64") })).status).toBe(202);
    expect(readFileSync(path.join(folder.dir, "cert"))).toEqual(bytes);
    const other = Buffer.from([1, 2, 3, 4]);
    expect((await call("PUT", { name: "cert", rawValue: other.toString("base64") })).status).toBe(202);
    expect(readFileSync(path.join(folder.dir, "cert"))).toEqual(other);
  });

  it.each([
    ["bad JSON, which must not be echoed", `{"name":"x","value":"${SECRET_VALUE}"`, "bad-json"],
    ["a JSON array", "[]", "bad-json"],
    ["no name", { value: "v" }, "missing-name"],
    ["an empty name", { name: "", value: "v" }, "missing-name"],
    ["a name that is not a string", { name: 7, value: "v" }, "missing-name"],
    ["../x", { name: "../x", value: "v" }, "bad-secret-name"],
    ["a/b", { name: "a/b", value: "v" }, "bad-secret-name"],
    [".", { name: ".", value: "v" }, "bad-secret-name"],
    ["both value and rawValue", { name: "x", value: "v", rawValue: "dg==" }, "bad-secret-value"],
    ["neither value nor rawValue", { name: "x" }, "bad-secret-value"],
    ["a value that is not a string", { name: "x", value: 42 }, "bad-secret-value"],
    ["rawValue that is not base64", { name: "x", rawValue: "not base64!" }, "bad-secret-value"],
    ["another namespace in the body", { name: "x", namespace: "kube-system", value: "v" }, "bad-namespace"],
  ])("answers POST with %s: 400", async (_what, body, type) => {
    const { call, folder } = await serveFolder();
    await expectProblem(call("POST", body), 400, type);
    expect(folder.list()).toEqual([]);
  });

  it("answers another namespace in the query with 400", async () => {
    const { call } = await serveFolder();
    await expectProblem(call("GET", undefined, "?namespace=kube-system"), 400, "bad-namespace");
  });

  it("refuses the gateway's own credentials with 403 and leaves them alone", async () => {
    const { call, folder } = await serveFolder();
    const before = folder.readGatewayCredentials();
    await expectProblem(call("POST", { name: "basic-auth-user", value: "intruder" }), 403, "reserved-secret");
    await expectProblem(call("PUT", { name: "basic-auth-password", value: SECRET_VALUE }), 403, "reserved-secret");
    await expectProblem(call("DELETE", { name: "basic-auth-password" }), 403, "reserved-secret");
    expect(folder.readGatewayCredentials()).toEqual(before);
    expect(JSON.parse((await call("GET")).text)).toEqual([]);
  });

  it("answers 413 to a body over 1 MiB, declared or streamed, and stores nothing", async () => {
    const { url, folder } = await serveFolder();
    const value = "x".repeat(MAX_SECRET_BODY_BYTES);
    const body = Buffer.from(JSON.stringify({ name: "big", value }));
    expect(await rawPost(url, [body], { "Content-Length": body.length })).toBe(413);
    // Chunked: no length up front, the server counts as it reads.
    const chunks = [body.subarray(0, 512 * 1024), body.subarray(512 * 1024)];
    expect(await rawPost(url, chunks, { "Transfer-Encoding": "chunked" })).toBe(413);
    expect(folder.has("big")).toBe(false);
  });

  it("accepts a body just under the limit", async () => {
    const { url, folder } = await serveFolder();
    const overhead = JSON.stringify({ name: "big", value: "" }).length;
    const body = Buffer.from(JSON.stringify({ name: "big", value: "x".repeat(MAX_SECRET_BODY_BYTES - overhead) }));
    expect(body.length).toBe(MAX_SECRET_BODY_BYTES);
    expect(await rawPost(url, [body], { "Content-Length": body.length })).toBe(202);
    expect(folder.has("big")).toBe(true);
  });

  it("answers other methods with 405 and Allow", async () => {
    const { call } = await serveFolder();
    const answer = call("PATCH", { name: "x", value: "v" });
    await expectProblem(answer, 405, "method-not-allowed");
    expect((await answer).headers.get("allow")).toBe("GET, POST, PUT, DELETE");
  });
});
