import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEdge, type TestEdge, waitFor } from "../../../gateway/test/edge/support.js";
import { listFunctions } from "../../src/core/function-list.js";
import { createInvoker } from "../../src/core/invoker.js";

/** The core against the real gateway: what it lists and how it invokes. */
let edge: TestEdge;

beforeAll(async () => {
  edge = await startTestEdge([
    { name: "probe", annotations: { topic: "store/+/fridge/+/temp,cron-function", schedule: "*/5 * * * *" } },
    { name: "plain" },
  ]);
  await waitFor("probe ready", () => edge.edge.runtime.get("probe")?.available === 1);
}, 30_000);

afterAll(() => edge?.stop());

describe("the connector core against coffee-edge's gateway", () => {
  it("lists every function as name.namespace with its annotations, through basic auth", async () => {
    const listed = await listFunctions({
      gatewayUrl: edge.url,
      authorization: edge.auth,
      timeoutMs: 5000,
      userAgent: "test",
    });
    expect(listed.map((fn) => fn.fn)).toEqual(["probe.openfaas-fn", "plain.openfaas-fn"]);
    expect(listed[0]?.annotations).toMatchObject({
      topic: "store/+/fridge/+/temp,cron-function",
      schedule: "*/5 * * * *",
    });
  });

  it("says why when the credentials are wrong", async () => {
    await expect(listFunctions({ gatewayUrl: edge.url, timeoutMs: 5000, userAgent: "test" })).rejects.toThrow(
      /answered 401 \(check basic_auth/,
    );
  });

  it("invokes with X-Topic, X-Connector and Content-Type, and returns the function's answer", async () => {
    const invoker = createInvoker({
      gatewayUrl: edge.url,
      asynchronous: false,
      connector: "mqtt-connector",
      contentType: "application/json",
      timeoutMs: 5000,
      userAgent: "coffee-edge-mqtt-connector",
    });
    const response = await invoker.invoke({
      fn: "probe.openfaas-fn",
      topic: "store/store042/fridge/f1/temp",
      body: Buffer.from('{"temp":4.2}'),
      headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
    });
    expect(response.status).toBe(200);
    const seen = JSON.parse(response.body.toString()) as { headers: Record<string, string>; body: unknown };
    expect(seen.body).toEqual({ temp: 4.2 });
    expect(seen.headers).toMatchObject({
      "x-topic": "store/store042/fridge/f1/temp",
      "x-connector": "mqtt-connector",
      "content-type": "application/json",
      "user-agent": "coffee-edge-mqtt-connector",
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    });
    await invoker.close();
  });

  it("uses /async-function/ with asynchronous_invocation (202)", async () => {
    const invoker = createInvoker({
      gatewayUrl: edge.url,
      asynchronous: true,
      connector: "mqtt-connector",
      timeoutMs: 5000,
      userAgent: "t",
    });
    expect((await invoker.invoke({ fn: "probe.openfaas-fn", topic: "t", body: Buffer.from("x") })).status).toBe(202);
    await invoker.close();
  });

  it("answers status 0 with the error when nothing answers, and never throws", async () => {
    const invoker = createInvoker({
      gatewayUrl: "http://127.0.0.1:1",
      asynchronous: false,
      connector: "c",
      timeoutMs: 1000,
      userAgent: "t",
    });
    const response = await invoker.invoke({ fn: "probe", topic: "t", body: Buffer.alloc(0) });
    expect(response.status).toBe(0);
    expect(response.error?.message ?? "").not.toBe("");
    await invoker.close();
  });
});
