import { connect } from "node:net";
import { badJsonBodies, mapConcurrently } from "@coffee-edge/node18-typescript/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEdge, type TestEdge, waitFor } from "./support.js";

let edge: TestEdge;

beforeAll(async () => {
  edge = await startTestEdge([{ name: "probe" }]);
  await waitFor("probe ready", () => edge.edge.runtime.get("probe")?.available === 1);
}, 30_000);

afterAll(() => edge?.stop());

/** Sends every bad body and returns the statuses that were not a 4xx. */
async function nonClientErrors(
  path: string,
  method: string,
  valid: Record<string, unknown>,
  accepts: (value: unknown) => boolean,
) {
  const bodies = badJsonBodies(valid, { accepts, count: 300 });
  const outcomes = await mapConcurrently(bodies, 8, async (bad) => {
    const answer = await fetch(`${edge.url}${path}`, {
      method,
      headers: { authorization: edge.auth, "content-type": bad.contentType },
      body: bad.body,
    });
    await answer.arrayBuffer();
    return { label: bad.label, status: answer.status, type: answer.headers.get("content-type") };
  });
  return outcomes.filter(
    (outcome) => outcome.status < 400 || outcome.status >= 500 || outcome.type !== "application/problem+json",
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

describe("hostile input to the gateway", () => {
  it("refuses every bad scale body with a 4xx problem", async () => {
    const accepts = (value: unknown) =>
      isObject(value) && typeof value.replicas === "number" && Number.isInteger(value.replicas) && value.replicas >= 0;
    expect(
      await nonClientErrors("/system/scale-function/probe", "POST", { serviceName: "probe", replicas: 1 }, accepts),
    ).toEqual([]);
  });

  it("refuses every bad deployment body with a 4xx problem", async () => {
    // A well-formed body names a function that is not in the stack: 404, so nothing restarts during the test.
    expect(
      await nonClientErrors(
        "/system/functions",
        "PUT",
        { service: "not-in-stack", image: "x/y:1", envVars: { A: "b" }, labels: {}, annotations: {}, secrets: [] },
        () => false,
      ),
    ).toEqual([]);
  });

  it("refuses every bad secret body with a 4xx problem and writes nothing", async () => {
    const accepts = (value: unknown) =>
      isObject(value) &&
      typeof value.name === "string" &&
      /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value.name) &&
      typeof value.value === "string";
    expect(await nonClientErrors("/system/secrets", "POST", { name: "fuzzed", value: "v" }, accepts)).toEqual([]);
  });

  it("answers odd paths and methods without failing, then still serves", async () => {
    const paths = [
      "/function/",
      "/function/%",
      "/function/..%2f..",
      "/function/probe%00",
      "/async-function/",
      "/system",
      "//system/functions",
      "/system/function/",
      "/%ff",
      `/${"a".repeat(8000)}`,
    ];
    for (const path of paths) {
      for (const method of ["GET", "POST", "DELETE"]) {
        const answer = await fetch(`${edge.url}${path}`, { method, headers: { authorization: edge.auth } });
        expect(answer.status, `${method} ${path}`).toBeLessThan(500);
        await answer.arrayBuffer();
      }
    }
    // A request that is not HTTP at all.
    await new Promise<void>((resolve) => {
      const socket = connect(edge.edge.port, "127.0.0.1", () => socket.end("\x00\x01 not http\r\n\r\n"));
      socket.on("close", () => resolve());
      socket.on("error", () => resolve());
      socket.resume();
    });
    expect((await fetch(`${edge.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${edge.url}/function/probe/status?code=200`)).status).toBe(200);
  });
});
