import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { DeliveryError, postJson } from "../../src/kit/deliver.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A webhook receiver on 127.0.0.1 that answers with the given statuses in turn and records what it got. */
async function receiver(statuses: number[]) {
  const received: Array<{ body: unknown; key: string | undefined; type: string | undefined }> = [];
  server = createServer(async (req: IncomingMessage, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    received.push({
      body: JSON.parse(text),
      key: req.headers["idempotency-key"] as string | undefined,
      type: req.headers["content-type"],
    });
    res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
    res.end();
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

const noWait = async () => undefined;

describe("postJson", () => {
  it("retries 5xx and 429 until a 2xx, sending the same document and key each time", async () => {
    const hook = await receiver([500, 429, 503, 204]);
    const result = await postJson(hook.url, { alert: 1 }, { headers: { "idempotency-key": "a1" }, sleep: noWait });
    expect(result).toEqual({ status: 204, attempts: 4 });
    expect(hook.received).toHaveLength(4);
    for (const got of hook.received) expect(got).toEqual({ body: { alert: 1 }, key: "a1", type: "application/json" });
  });

  it("does not retry a 4xx other than 408/429, and reports the status", async () => {
    const hook = await receiver([400]);
    const failure = await postJson(hook.url, {}, { sleep: noWait }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect(failure).toMatchObject({ status: 400, attempts: 1 });
    expect(hook.received).toHaveLength(1);
  });

  it("gives up after the attempts allowed, waiting with growing, jittered delays", async () => {
    const hook = await receiver([502]);
    const waits: number[] = [];
    const failure = await postJson(
      hook.url,
      {},
      {
        attempts: 4,
        baseDelayMs: 100,
        maxDelayMs: 250,
        sleep: async (ms) => {
          waits.push(ms);
        },
      },
    ).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 502, attempts: 4 });
    expect(waits).toHaveLength(3);
    expect(waits.every((ms, index) => ms >= 0 && ms <= Math.min(250, 100 * 2 ** index))).toBe(true);
  });

  it("retries a refused connection, then fails without the URL's credentials in the message", async () => {
    const hook = await receiver([200]);
    const port = new URL(hook.url).port;
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const failure = await postJson(`http://user:hunter2@127.0.0.1:${port}/x`, {}, { attempts: 2, sleep: noWait }).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ attempts: 2, status: undefined });
    expect(String(failure)).not.toContain("hunter2");
  });
});
