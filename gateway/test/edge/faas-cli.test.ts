import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEdge, type TestEdge, waitFor } from "./support.js";

/**
 * The requests faas-cli 0.17 sends for each command (go-sdk and faas-cli `proxy` package), replayed as sent:
 * its User-Agent, paths, query strings and JSON bodies, and the statuses it accepts.
 */
const USER_AGENT = "faas-cli/0.17.8 (openfaas; linux; amd64)";
let edge: TestEdge;

beforeAll(async () => {
  edge = await startTestEdge([{ name: "probe", secrets: ["api-key"], labels: { "com.openfaas.scale.max": "2" } }]);
  await waitFor("probe ready", () => edge.edge.runtime.get("probe")?.available === 1);
}, 30_000);

afterAll(() => edge?.stop());

const cli = (method: string, path: string, body?: unknown, auth = true) =>
  fetch(`${edge.url}${path}`, {
    method,
    headers: {
      "user-agent": USER_AGENT,
      ...(auth ? { authorization: edge.auth } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });

describe("faas-cli against the gateway", () => {
  it("login: GET /system/functions with basic auth → 200; wrong password → 401", async () => {
    expect((await cli("GET", "/system/functions")).status).toBe(200);
    expect((await cli("GET", "/system/functions", undefined, false)).status).toBe(401);
  });

  it("list: GET /system/functions?namespace=openfaas-fn → an array with replicas and invocation counts", async () => {
    const list = (await (await cli("GET", "/system/functions?namespace=openfaas-fn")).json()) as Array<
      Record<string, unknown>
    >;
    expect(list[0]).toMatchObject({ name: "probe", replicas: 1, image: "test/probe:latest" });
    expect(typeof list[0]?.invocationCount).toBe("number");
  });

  it("describe: GET /system/function/probe?namespace=openfaas-fn&usage=false → the status object", async () => {
    const status = (await (
      await cli("GET", "/system/function/probe?namespace=openfaas-fn&usage=false")
    ).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      name: "probe",
      namespace: "openfaas-fn",
      secrets: ["api-key"],
      availableReplicas: 1,
    });
  });

  it("invoke: POST /function/probe with the body from stdin → the function's answer", async () => {
    const answer = await fetch(`${edge.url}/function/probe`, {
      method: "POST",
      headers: { "user-agent": USER_AGENT, "content-type": "text/plain" },
      body: "hello",
    });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { body: string }).body).toBe("hello");
  });

  it("invoke --async: POST /async-function/probe → 202 with X-Call-Id", async () => {
    const answer = await fetch(`${edge.url}/async-function/probe`, {
      method: "POST",
      headers: { "user-agent": USER_AGENT, "content-type": "text/plain" },
      body: "later",
    });
    expect(answer.status).toBe(202);
    expect(answer.headers.get("x-call-id")).toBeTruthy();
  });

  it("secret create / list / update / remove, values written to DATA_DIR/secrets and never returned", async () => {
    expect((await cli("POST", "/system/secrets", { name: "door-code", value: "4711", namespace: "" })).status).toBe(
      202,
    );
    expect((await cli("POST", "/system/secrets", { name: "door-code", value: "4711", namespace: "" })).status).toBe(
      409,
    );
    expect(await readFile(path.join(edge.dataDir, "secrets", "door-code"), "utf8")).toBe("4711");
    const listed = await (await cli("GET", "/system/secrets?namespace=openfaas-fn")).text();
    expect(JSON.parse(listed)).toEqual(
      expect.arrayContaining([
        { name: "api-key", namespace: "openfaas-fn" },
        { name: "door-code", namespace: "openfaas-fn" },
      ]),
    );
    expect(listed).not.toContain("4711");
    expect(listed).not.toContain("basic-auth");
    expect((await cli("PUT", "/system/secrets", { name: "door-code", value: "0815", namespace: "" })).status).toBe(202);
    expect(await readFile(path.join(edge.dataDir, "secrets", "door-code"), "utf8")).toBe("0815");
    expect((await cli("DELETE", "/system/secrets", { name: "door-code", namespace: "" })).status).toBe(202);
    expect((await cli("DELETE", "/system/secrets", { name: "door-code", namespace: "" })).status).toBe(404);
  });

  it("mounts a function's secrets as files where secret_mount_path points, as OpenFaaS does", async () => {
    const generated = await readFile(path.join(edge.dataDir, "secrets", "api-key"), "utf8");
    expect(edge.edge.generatedSecrets).toEqual(["api-key"]);
    const answer = await fetch(`${edge.url}/function/probe/secret?name=api-key`);
    expect(((await answer.json()) as { value: string }).value).toBe(generated);
  });

  it("deploy: PUT of a new function → 404, then POST → a problem saying images cannot be deployed here", async () => {
    const deployment = {
      service: "brand-new",
      image: "ghcr.io/x/brand-new:latest",
      envProcess: "",
      labels: {},
      annotations: {},
    };
    expect((await cli("PUT", "/system/functions", deployment)).status).toBe(404);
    const post = await cli("POST", "/system/functions", deployment);
    expect(post.status).toBe(501);
    expect(((await post.json()) as { detail: string }).detail).toMatch(/cannot deploy an image/);
  });

  it("deploy: PUT of a function of the stack → 202, and new replicas run with the new environment and labels", async () => {
    const before = (await (await fetch(`${edge.url}/function/probe`)).json()) as { pid: number };
    const deployment = {
      service: "probe",
      image: "test/probe:latest",
      envProcess: "",
      envVars: { GREETING: "updated" },
      labels: { "com.openfaas.scale.max": "2", tier: "gold" },
      annotations: { topic: "store/+/door" },
      secrets: ["api-key"],
    };
    expect((await cli("PUT", "/system/functions", deployment)).status).toBe(202);
    await waitFor("a new replica", async () => {
      const now = (await (await fetch(`${edge.url}/function/probe`)).json()) as { pid: number };
      return now.pid !== before.pid;
    });
    const env = (await (await fetch(`${edge.url}/function/probe/env?name=GREETING`)).json()) as { name: string };
    expect(env.name).toBe("updated");
    const status = (await (await cli("GET", "/system/function/probe")).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ labels: { tier: "gold" }, annotations: { topic: "store/+/door" } });
  });
});
