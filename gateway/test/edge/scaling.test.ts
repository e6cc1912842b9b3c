import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionStatus, startTestEdge, type TestEdge, waitFor } from "./support.js";

let edge: TestEdge;

beforeAll(async () => {
  edge = await startTestEdge(
    [
      { name: "sleepy", labels: { "com.openfaas.scale.zero": "true", "com.openfaas.scale.zero-duration": "1s" } },
      {
        name: "elastic",
        labels: {
          "com.openfaas.scale.target": "1",
          "com.openfaas.scale.max": "3",
          "com.openfaas.scale.down.window": "1s",
        },
      },
      { name: "narrow", labels: { "com.openfaas.scale.max": "1" }, environment: { max_inflight: "1" } },
      { name: "slow", environment: { exec_timeout: "300ms" } },
      { name: "fragile" },
    ],
    {},
  );
  await waitFor("every function ready", () => edge.edge.runtime.list().every((pool) => pool.available >= 1), 20_000);
}, 30_000);

afterAll(() => edge?.stop());

describe("scale to zero", () => {
  it("stops an idle function after zero-duration, shows 0 replicas, and the next call waits for a cold start", async () => {
    await waitFor("sleepy scaled to zero", async () => (await functionStatus(edge, "sleepy")).replicas === 0);
    const idle = await functionStatus(edge, "sleepy");
    expect(idle).toMatchObject({ replicas: 0, availableReplicas: 0 });
    expect(edge.edge.runtime.get("sleepy")?.list()).toHaveLength(0);

    const answer = await fetch(`${edge.url}/function/sleepy/status?code=200`);
    expect(answer.status).toBe(200);
    expect(await functionStatus(edge, "sleepy")).toMatchObject({ replicas: 1, availableReplicas: 1 });
    const metrics = await (await fetch(`${edge.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^gateway_cold_start_seconds_count\{function_name="sleepy\.openfaas-fn",outcome="ready"\} [1-9]/m,
    );
  });
});

describe("scaling with load", () => {
  it("adds replicas up to max while requests pile up, then removes them after the down window", async () => {
    // target 1: each request in flight asks for one replica; 5 at once ask for 5, max caps at 3.
    const calls = Array.from({ length: 5 }, () => fetch(`${edge.url}/function/elastic/sleep?ms=1500`));
    await waitFor("elastic at 3 replicas", async () => (await functionStatus(edge, "elastic")).replicas === 3);
    await waitFor("3 replicas ready", async () => (await functionStatus(edge, "elastic")).availableReplicas === 3);
    const answers = await Promise.all(calls);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    // More than one process served them: the new replicas took calls that came after they were ready.
    const later = await Promise.all(
      Array.from(
        { length: 6 },
        async () => (await (await fetch(`${edge.url}/function/elastic/sleep?ms=300`)).json()) as { pid: number },
      ),
    );
    expect(new Set(later.map((body) => body.pid)).size).toBeGreaterThan(1);
    await waitFor("elastic back to min", async () => (await functionStatus(edge, "elastic")).replicas === 1, 15_000);
    await waitFor("extra processes gone", () => edge.edge.runtime.get("elastic")?.list().length === 1, 15_000);
  });

  it("/system/scale-function sets the count, capped at max", async () => {
    const scale = (replicas: number) =>
      fetch(`${edge.url}/system/scale-function/elastic`, {
        method: "POST",
        headers: { authorization: edge.auth },
        body: JSON.stringify({ serviceName: "elastic", replicas }),
      });
    expect((await scale(2)).status).toBe(202);
    await waitFor("2 ready", async () => (await functionStatus(edge, "elastic")).availableReplicas === 2);
    expect((await scale(9)).status).toBe(202);
    expect((await functionStatus(edge, "elastic")).replicas).toBe(3);
    const unknown = await fetch(`${edge.url}/system/scale-function/nope`, {
      method: "POST",
      headers: { authorization: edge.auth },
      body: JSON.stringify({ serviceName: "nope", replicas: 1 }),
    });
    expect(unknown.status).toBe(404);
  });
});

describe("the watchdog's limits", () => {
  it("answers 429 as the watchdog does when every replica is at max_inflight", async () => {
    const first = fetch(`${edge.url}/function/narrow/sleep?ms=800`);
    await waitFor("one call in flight", () => edge.edge.runtime.get("narrow")?.inflight === 1);
    const second = await fetch(`${edge.url}/function/narrow/sleep?ms=10`);
    expect(second.status).toBe(429);
    expect(second.headers.get("content-type")).toBe("text/plain");
    expect(await second.text()).toBe("Concurrent request limit exceeded. Max concurrent requests: 1\n");
    expect((await first).status).toBe(200);
    expect((await fetch(`${edge.url}/function/narrow/sleep?ms=10`)).status).toBe(200);
  });

  it("answers 504 with an empty body when a call runs past exec_timeout", async () => {
    const answer = await fetch(`${edge.url}/function/slow/sleep?ms=3000`);
    expect(answer.status).toBe(504);
    expect(await answer.text()).toBe("");
    expect(Number(answer.headers.get("x-duration-seconds"))).toBeGreaterThanOrEqual(0.3);
    expect((await fetch(`${edge.url}/function/slow/sleep?ms=10`)).status).toBe(200);
  });
});

describe("a crashed replica", () => {
  it("is restarted with backoff, visible in availableReplicas and in the logs", async () => {
    const pool = edge.edge.runtime.get("fragile");
    const [replica] = pool?.list() ?? [];
    expect(replica).toBeDefined();
    replica?.kill("SIGKILL");
    await waitFor("fragile down", async () => (await functionStatus(edge, "fragile")).availableReplicas === 0, 5000);
    expect((await functionStatus(edge, "fragile")).replicas).toBe(1);
    await waitFor("fragile back", async () => (await functionStatus(edge, "fragile")).availableReplicas === 1, 10_000);
    const logs = await (
      await fetch(`${edge.url}/system/logs?name=fragile`, { headers: { authorization: edge.auth } })
    ).text();
    expect(logs).toMatch(/was killed by SIGKILL; restarting in \d+\.\d s/);
    expect(edge.output()).toMatch(/fragile-1 \| was killed by SIGKILL/);
    const metrics = await (await fetch(`${edge.url}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_replica_restarts_total\{function_name="fragile\.openfaas-fn"\} 1$/m);
    expect((await fetch(`${edge.url}/function/fragile/status?code=200`)).status).toBe(200);
  });
});
