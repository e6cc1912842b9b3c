import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CallbackReceiver, startCallbackReceiver } from "./callback-receiver.js";
import { startTestEdge, type TestEdge, waitFor } from "./support.js";

let edge: TestEdge;
let receiver: CallbackReceiver | undefined;

beforeAll(async () => {
  edge = await startTestEdge([{ name: "probe" }], {
    MAX_ASYNC_BODY_SIZE: "1kb",
    ASYNC_RETRY_MIN: "10ms",
    ASYNC_RETRY_MAX: "40ms",
    ASYNC_MAX_ATTEMPTS: "3",
  });
  await waitFor("probe ready", () => edge.edge.runtime.get("probe")?.available === 1);
}, 30_000);

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

afterAll(() => edge?.stop());

const post = (path: string, headers: Record<string, string>, body: string) =>
  fetch(`${edge.url}/async-function/${path}`, { method: "POST", headers, body });

describe("/async-function/{name}", () => {
  it("answers 202 with X-Call-Id, runs the call with its path, query, headers and body, and calls back", async () => {
    receiver = await startCallbackReceiver();
    const answer = await post(
      "probe/orders/7?copy=2",
      { "content-type": "application/json", "x-callback-url": receiver.url, "x-store": "store042" },
      JSON.stringify({ order: 7 }),
    );
    expect(answer.status).toBe(202);
    expect(await answer.text()).toBe("");
    const callId = answer.headers.get("x-call-id");
    expect(callId).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor("the callback", () => receiver?.received.length === 1);
    const [callback] = receiver.received;
    expect(callback?.headers["x-call-id"]).toBe(callId);
    expect(callback?.headers["x-function-name"]).toBe("probe");
    expect(callback?.headers["x-function-status"]).toBe("200");
    expect(callback?.headers["x-duration-seconds"]).toMatch(/^\d+\.\d{6}$/);
    expect(callback?.headers["content-type"]).toMatch(/^application\/json/);
    const seen = JSON.parse(String(callback?.body)) as {
      method: string;
      path: string;
      query: object;
      headers: Record<string, string>;
      body: unknown;
    };
    expect(seen).toMatchObject({ method: "POST", path: "/orders/7", query: { copy: "2" }, body: { order: 7 } });
    expect(seen.headers["x-store"]).toBe("store042");
    expect(seen.headers["x-call-id"]).toBe(callId);
  });

  it("retries a callback receiver that fails twice, and it gets the call on the third try", async () => {
    receiver = await startCallbackReceiver((_callback, index) => (index < 2 ? 503 : 200));
    const answer = await post("probe/status?code=200", { "x-callback-url": receiver.url }, "");
    expect(answer.status).toBe(202);
    await waitFor("three callback attempts", () => receiver?.received.length === 3);
    expect(new Set(receiver.received.map((callback) => callback.headers["x-call-id"])).size).toBe(1);
  });

  it("retries a function answering 503, then calls back with the last status", async () => {
    receiver = await startCallbackReceiver();
    await post("probe/status?code=503", { "x-callback-url": receiver.url }, "");
    await waitFor("the callback after the last try", () => receiver?.received.length === 1);
    expect(receiver.received[0]?.headers["x-function-status"]).toBe("503");
    const metrics = await (await fetch(`${edge.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^gateway_async_retries_total\{function_name="probe\.openfaas-fn",kind="invoke",status="503"\} 2$/m,
    );
  });

  it("does not retry a 4xx from the function", async () => {
    receiver = await startCallbackReceiver();
    await post("probe/status?code=422", { "x-callback-url": receiver.url }, "");
    await waitFor("the callback", () => receiver?.received.length === 1);
    expect(receiver.received[0]?.headers["x-function-status"]).toBe("422");
  });

  it("answers a body over MAX_ASYNC_BODY_SIZE 413 problem+json", async () => {
    const answer = await post("probe", {}, "x".repeat(2000));
    expect(answer.status).toBe(413);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(((await answer.json()) as { detail: string }).detail).toMatch(/MAX_ASYNC_BODY_SIZE/);
  });

  it("answers 404 for an unknown function, 405 for GET and 400 for a callback URL that is not http(s)", async () => {
    expect((await post("nope", {}, "x")).status).toBe(404);
    expect((await fetch(`${edge.url}/async-function/probe`)).status).toBe(405);
    expect((await post("probe", { "x-callback-url": "ftp://example/x" }, "")).status).toBe(400);
  });
});
