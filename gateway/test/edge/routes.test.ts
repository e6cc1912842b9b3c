import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEdge, type TestEdge, waitFor } from "./support.js";

let edge: TestEdge;

beforeAll(async () => {
  edge = await startTestEdge([
    {
      name: "probe",
      labels: { team: "store" },
      annotations: { topic: "store/+/fridge/+/temp" },
      environment: { GREETING: "hi" },
    },
    { name: "other" },
  ]);
  await waitFor("probe ready", () => edge.edge.runtime.get("probe")?.available === 1);
}, 30_000);

afterAll(() => edge?.stop());

/** What the probe handler answers by default: the request as the function saw it. */
interface ProbeEcho {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  pid: number;
}

const system = (path: string, init: RequestInit = {}) =>
  fetch(`${edge.url}${path}`, { ...init, headers: { authorization: edge.auth, ...(init.headers ?? {}) } });

describe("/function/{name}", () => {
  it("forwards any method with the path after the name and the query, and adds the gateway's headers", async () => {
    const answer = await fetch(`${edge.url}/function/probe/a/b?x=1&y=two`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hello: "world" }),
    });
    expect(answer.status).toBe(200);
    const seen = (await answer.json()) as ProbeEcho;
    expect(seen).toMatchObject({ method: "PUT", path: "/a/b", query: { x: "1", y: "two" }, body: { hello: "world" } });
    const callId = answer.headers.get("x-call-id");
    expect(callId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.headers["x-call-id"]).toBe(callId);
    expect(seen.headers["x-forwarded-host"]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(seen.headers["x-start-time"]).toBe(answer.headers.get("x-start-time"));
    expect(answer.headers.get("x-start-time")).toMatch(/^\d{19}$/);
    expect(answer.headers.get("x-duration-seconds")).toMatch(/^\d+\.\d{6}$/);
    expect(answer.headers.get("x-served-by")).toMatch(/^coffee-edge\//);
  });

  it("keeps a caller's X-Call-Id, and answers /function/{name} without a path as /", async () => {
    const answer = await fetch(`${edge.url}/function/probe`, { headers: { "x-call-id": "call-42" } });
    const seen = (await answer.json()) as ProbeEcho;
    expect(seen.path).toBe("/");
    expect(seen.headers["x-call-id"]).toBe("call-42");
    expect(answer.headers.get("x-call-id")).toBe("call-42");
  });

  it("accepts name.openfaas-fn, as the gateway resolves name.namespace", async () => {
    expect((await fetch(`${edge.url}/function/probe.openfaas-fn/status?code=201`)).status).toBe(201);
  });

  it("passes the function's status and body through, errors included", async () => {
    const answer = await fetch(`${edge.url}/function/probe/status?code=418`);
    expect(answer.status).toBe(418);
    expect(await answer.json()).toEqual({ status: 418 });
  });

  it("answers 404 problem+json for an unknown function, without auth", async () => {
    const answer = await fetch(`${edge.url}/function/nope`, { method: "POST", body: "x" });
    expect(answer.status).toBe(404);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(((await answer.json()) as { detail: string }).detail).toContain('"nope"');
  });

  it("answers 405 for a method functions do not take", async () => {
    const answer = await fetch(`${edge.url}/function/probe`, { method: "PROPFIND" });
    expect(answer.status).toBe(405);
  });

  it("answers 502 when the function's process goes away in the middle of a call", async () => {
    const answer = await fetch(`${edge.url}/function/other/crash`);
    expect(answer.status).toBe(502);
    expect(((await answer.json()) as { type: string }).type).toMatch(/function-unreachable$/);
  });
});

describe("/system/* is behind basic auth", () => {
  it.each(["/system/functions", "/system/info", "/system/namespaces", "/system/secrets", "/system/logs?name=probe"])(
    "%s → 401 with WWW-Authenticate without or with wrong credentials",
    async (path) => {
      const none = await fetch(`${edge.url}${path}`);
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toBe('Basic realm="Restricted"');
      const wrong = await fetch(`${edge.url}${path}`, {
        headers: { authorization: `Basic ${Buffer.from("admin:guess").toString("base64")}` },
      });
      expect(wrong.status).toBe(401);
    },
  );

  it("does not put /function/, /healthz or /metrics behind it", async () => {
    expect((await fetch(`${edge.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${edge.url}/metrics`)).status).toBe(200);
  });
});

describe("/system/functions and /system/function/{name}", () => {
  it("lists every function as a status object with the gateway's members", async () => {
    const answer = await system("/system/functions");
    expect(answer.headers.get("content-type")).toBe("application/json");
    const list = (await answer.json()) as Array<Record<string, unknown>>;
    expect(list.map((fn) => fn.name)).toEqual(["probe", "other"]);
    const probe = list[0] as Record<string, unknown>;
    expect(Object.keys(probe).slice(0, 4)).toEqual(["name", "image", "namespace", "envProcess"]);
    expect(probe).toMatchObject({
      image: "test/probe:latest",
      namespace: "openfaas-fn",
      envProcess: "node dist/main.js",
      envVars: { GREETING: "hi" },
      labels: { team: "store", faas_function: "probe" },
      annotations: { topic: "store/+/fridge/+/temp" },
      replicas: 1,
      availableReplicas: 1,
    });
    expect(probe.invocationCount).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(String(probe.createdAt)))).toBe(false);
  });

  it("is always an array, also for another namespace", async () => {
    expect(await (await system("/system/functions?namespace=openfaas-fn")).json()).toHaveLength(2);
    expect(await (await system("/system/functions?namespace=elsewhere")).json()).toEqual([]);
  });

  it("describes one function, and 404s an unknown one", async () => {
    expect(((await (await system("/system/function/probe")).json()) as { name: string }).name).toBe("probe");
    expect((await system("/system/function/nope")).status).toBe(404);
  });

  it("refuses POST and DELETE with a problem saying images cannot be deployed here", async () => {
    for (const method of ["POST", "DELETE"]) {
      const answer = await system("/system/functions", {
        method,
        body: JSON.stringify({ service: "new", image: "x/new:1", functionName: "probe" }),
      });
      expect(answer.status).toBe(501);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
      expect(((await answer.json()) as { detail: string }).detail).toMatch(/stack\.yml/);
    }
  });

  it("answers PUT on an unknown function 404, so faas-cli falls back to POST", async () => {
    const answer = await system("/system/functions", {
      method: "PUT",
      body: JSON.stringify({ service: "nope", image: "x/nope:1" }),
    });
    expect(answer.status).toBe(404);
  });

  it("answers a bad body 400", async () => {
    expect((await system("/system/functions", { method: "PUT", body: "{" })).status).toBe(400);
    expect((await system("/system/functions", { method: "PUT", body: "[]" })).status).toBe(400);
    expect((await system("/system/scale-function/probe", { method: "POST", body: '{"replicas":-1}' })).status).toBe(
      400,
    );
  });
});

describe("the other system routes", () => {
  it("/system/namespaces is the one namespace, also with a stray ?namespace=", async () => {
    expect(await (await system("/system/namespaces")).json()).toEqual(["openfaas-fn"]);
    expect(await (await system("/system/namespaces?namespace=x")).json()).toEqual(["openfaas-fn"]);
  });

  it("/system/info names the provider and the version", async () => {
    const info = (await (await system("/system/info")).json()) as {
      provider: object;
      version: { release: string };
      arch: unknown;
    };
    expect(info.provider).toMatchObject({ provider: "coffee-edge", orchestration: "local" });
    expect(info.version.release).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof info.arch).toBe("string");
  });

  it("/system/logs streams the function's lines as NDJSON", async () => {
    const answer = await system("/system/logs?name=probe&tail=5");
    expect(answer.headers.get("content-type")).toMatch(/application\/x-ndjson/);
    const lines = (await answer.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(Object.keys(lines[0])).toEqual(["name", "namespace", "instance", "timestamp", "text"]);
    expect(lines[0]).toMatchObject({ name: "probe", namespace: "openfaas-fn", instance: "probe-1" });
  });

  it("unknown routes are 404", async () => {
    expect((await fetch(`${edge.url}/nothing-here`)).status).toBe(404);
    expect((await system("/system/nothing-here")).status).toBe(404);
  });
});

describe("/metrics", () => {
  it("exposes the gateway's metric names with function_name as name.namespace", async () => {
    await fetch(`${edge.url}/function/probe/status?code=200`);
    const text = await (await fetch(`${edge.url}/metrics`)).text();
    expect(text).toMatch(/^gateway_function_invocation_total\{code="200",function_name="probe\.openfaas-fn"\} \d+$/m);
    expect(text).toMatch(
      /^gateway_functions_seconds_bucket\{le="[^"]+",code="200",function_name="probe\.openfaas-fn"\} \d+$/m,
    );
    expect(text).toMatch(/^gateway_function_invocation_started\{function_name="probe\.openfaas-fn"\} \d+$/m);
    expect(text).toMatch(/^gateway_service_count\{function_name="probe\.openfaas-fn"\} 1$/m);
    expect(text).toMatch(/^gateway_async_queue_depth \d+$/m);
    expect(text).toMatch(/^# TYPE gateway_cold_start_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE gateway_async_retries_total counter$/m);
  });
});
