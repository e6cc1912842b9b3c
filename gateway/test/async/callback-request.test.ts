import http from "node:http";
import https from "node:https";
import { afterEach, describe, expect, it } from "vitest";
import { type CallbackAgents, callbackHeaders, postCallback } from "../../src/async/callback-request.js";
import { type CallbackReceiver, freePortUrl, makeCall, startReceiver } from "./helpers.js";

const receivers: CallbackReceiver[] = [];
let agents: CallbackAgents;

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  agents?.http.destroy();
  agents?.https.destroy();
});

function newAgents(): CallbackAgents {
  agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  return agents;
}

describe("callbackHeaders", () => {
  it("keeps the function's headers but connection-level ones, then sets the gateway's four", () => {
    const call = makeCall({ callId: "abc", functionName: "receipt" });
    const headers = callbackHeaders(call, {
      status: 201,
      headers: [
        ["Content-Type", "application/json"],
        ["Set-Cookie", "a=1"],
        ["Set-Cookie", "b=2"],
        ["Connection", "keep-alive, X-Private-Hop"],
        ["X-Private-Hop", "drop me"],
        ["Keep-Alive", "timeout=5"],
        ["Transfer-Encoding", "chunked"],
        ["Content-Length", "12"],
        ["Upgrade", "h2c"],
        ["X-Call-Id", "forged"],
        ["x-function-status", "200"],
        ["X-Bad", "line\r\nbreak"],
      ],
      body: Buffer.alloc(0),
      durationSeconds: 1.5,
    });
    expect(headers).toEqual([
      ["Content-Type", "application/json"],
      ["Set-Cookie", "a=1"],
      ["Set-Cookie", "b=2"],
      ["X-Call-Id", "abc"],
      ["X-Function-Name", "receipt"],
      ["X-Function-Status", "201"],
      ["X-Duration-Seconds", "1.500000"],
    ]);
  });
});

describe("postCallback", () => {
  it("sends the body and every header value, and reports the receiver's status and headers", async () => {
    const receiver = await startReceiver((_callback, _index, res) => {
      res.setHeader("Retry-After", "3");
      return 503;
    });
    receivers.push(receiver);
    const outcome = await postCallback({
      url: receiver.url,
      headers: [
        ["Set-Cookie", "a=1"],
        ["set-cookie", "b=2"],
      ],
      body: Buffer.from("payload"),
      timeoutMs: 5000,
      agents: newAgents(),
      signal: new AbortController().signal,
    });
    expect(outcome).toEqual({ kind: "answered", status: 503, headers: expect.arrayContaining([["Retry-After", "3"]]) });
    const [received] = receiver.received;
    expect(received?.method).toBe("POST");
    expect(received?.body.toString()).toBe("payload");
    expect(received?.headers.filter(([name]) => name.toLowerCase() === "set-cookie").map(([, v]) => v)).toEqual([
      "a=1",
      "b=2",
    ]);
    expect(received?.header("content-length")).toBe("7");
  });

  it("reports a receiver that never answers as unreachable after the timeout", async () => {
    const receiver = await startReceiver(() => "hang");
    receivers.push(receiver);
    const outcome = await postCallback({
      url: receiver.url,
      headers: [],
      body: Buffer.from("x"),
      timeoutMs: 150,
      agents: newAgents(),
      signal: new AbortController().signal,
    });
    expect(outcome).toEqual({ kind: "unreachable", error: "no answer within 150 ms" });
    expect(receiver.received).toHaveLength(1);
  });

  it("reports a refused connection and a non-http URL as unreachable", async () => {
    const common = { headers: [], body: Buffer.alloc(0), timeoutMs: 2000, signal: new AbortController().signal };
    const refused = await postCallback({ ...common, url: await freePortUrl(), agents: newAgents() });
    expect(refused).toMatchObject({ kind: "unreachable", error: expect.stringContaining("ECONNREFUSED") });
    const ftp = await postCallback({ ...common, url: "ftp://127.0.0.1/x", agents: newAgents() });
    expect(ftp).toEqual({ kind: "unreachable", error: "ftp: is not http(s)" });
  });
});
