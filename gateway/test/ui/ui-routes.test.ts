import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { badJsonBodies } from "@coffee-edge/node18-typescript/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AsyncJobView } from "../../src/async/async-queue.js";
import { handleAlertHook } from "../../src/ui/alert-hook.js";
import { readAlert } from "../../src/ui/alert-payload.js";
import { LiveFeed } from "../../src/ui/live-feed.js";
import { loadStaticAssets } from "../../src/ui/static-assets.js";
import { handleUi } from "../../src/ui/ui-route.js";

const FRIDGE_ALERT = {
  id: "a1",
  incident: "i1",
  kind: "temperature",
  store: "store042",
  fridge: "f1",
  status: "critical",
  tempC: 9.5,
  at: "2026-12-03T08:00:00.000Z",
  message: "Warning: Too hot!",
};
const ESPRESSO_ALERT = {
  type: "espresso-threshold-reached",
  store: "store042",
  machine: "gaggia-1",
  date: "2026-12-03",
  count: 100,
  threshold: 100,
  message: "Daily threshold reached!",
  reachedAt: "2026-12-03T16:02:11.000Z",
};
const JOB: AsyncJobView = {
  callId: "c1",
  functionName: "echo",
  state: "done",
  awaitingCallback: false,
  attempts: 1,
  callbackAttempts: 0,
  acceptedAt: 1,
};

describe("the dashboard's routes over real HTTP", () => {
  const feed = new LiveFeed();
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const deps = {
      assets: loadStaticAssets(),
      feed,
      jobs: { recent: (limit: number) => [JOB, { ...JOB, callId: "c2" }].slice(0, limit) },
      streamLimits: { maxClients: 1 },
    };
    server = createServer((req, res) => {
      const parsed = new URL(req.url ?? "/", "http://gateway");
      if (parsed.pathname === "/hooks/alerts") {
        handleAlertHook(feed, req, res).catch(() => res.writeHead(500).end());
      } else handleUi(deps, req, res, parsed.pathname, parsed);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    feed.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("serves the page's files gzipped with an ETag, answers 304 to a revisit, and 404/405/308 around them", async () => {
    const page = await fetch(`${url}/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-encoding")).toBe("gzip");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="main.js">');
    const uplot = await fetch(`${url}/ui/vendor/uPlot.iife.min.js`);
    expect(uplot.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const again = await fetch(`${url}/ui/vendor/uPlot.iife.min.js`, {
      headers: { "if-none-match": uplot.headers.get("etag") ?? "" },
    });
    expect(again.status).toBe(304);
    expect((await fetch(`${url}/ui/../../package.json`)).status).toBe(404);
    const missing = await fetch(`${url}/ui/nothing.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    expect((await fetch(`${url}/ui/`, { method: "POST" })).status).toBe(405);
    const bare = await fetch(`${url}/ui`, { redirect: "manual" });
    expect([bare.status, bare.headers.get("location")]).toEqual([308, "/ui/"]);
  });

  it("lists recent async jobs, and refuses a limit it cannot read", async () => {
    expect(((await (await fetch(`${url}/ui/api/jobs?limit=1`)).json()) as AsyncJobView[]).map((j) => j.callId)).toEqual(
      ["c1"],
    );
    for (const limit of ["0", "501", "abc", "1e2", "-1", ""]) {
      const res = await fetch(`${url}/ui/api/jobs?limit=${limit}`);
      expect(res.status, limit).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("streams a snapshot then live events, and turns away a page over the limit with 503", async () => {
    feed.publish({ type: "reading", store: "s1", fridge: "f1", tempC: 4, ts: Date.now() });
    const aborter = new AbortController();
    const res = await fetch(`${url}/ui/events`, { signal: aborter.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += (await reader.read()).value ?? "";
    };
    await readUntil(/event: snapshot\ndata: .*"fridge":"f1"/);
    const second = await fetch(`${url}/ui/events`);
    expect(second.status).toBe(503);
    expect((await fetch(`${url}/ui/events`, { method: "HEAD" })).status).toBe(405);
    feed.publish({ type: "shot", store: "s1", machine: "m1", shots: 1, ts: Date.now() });
    await readUntil(/event: shot\ndata: \{"type":"shot"/);
    aborter.abort();
    await expect.poll(() => feed.listeners, { timeout: 2000 }).toBe(0);
  });

  it("takes both functions' alerts from this machine and passes each on once", async () => {
    const seen: string[] = [];
    const stop = feed.listen((event) => {
      if (event.type === "alert") seen.push(`${event.source}:${event.id}:${event.status}`);
    });
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}/hooks/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    expect((await post(FRIDGE_ALERT)).status).toBe(204);
    expect((await post(FRIDGE_ALERT)).status).toBe(204); // a retry whose answer was lost
    const key = "espresso-threshold/store042/gaggia-1/2026-12-03";
    expect((await post(ESPRESSO_ALERT, { "idempotency-key": key })).status).toBe(204);
    stop();
    expect(seen).toEqual(["fridge:a1:critical", `espresso:${key}:threshold-reached`]);
  });

  it("answers every malformed alert with a 4xx problem, and still takes a good one after", async () => {
    const accepts = (value: unknown) =>
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value) &&
      typeof readAlert(value as Record<string, unknown>) !== "string";
    const bodies = [
      ...badJsonBodies(FRIDGE_ALERT, { accepts, count: 250 }),
      ...badJsonBodies(ESPRESSO_ALERT, { accepts, count: 250 }),
    ];
    expect(bodies.length).toBeGreaterThanOrEqual(400);
    for (const { label, body, contentType } of bodies) {
      const res = await fetch(`${url}/hooks/alerts`, {
        method: "POST",
        headers: { "content-type": contentType },
        body,
      });
      expect([400, 413], label).toContain(res.status);
      expect(res.headers.get("content-type"), label).toBe("application/problem+json");
      await res.arrayBuffer();
    }
    const huge = await fetch(`${url}/hooks/alerts`, { method: "POST", body: "x".repeat(20_000) });
    expect(huge.status).toBe(413);
    expect((await fetch(`${url}/hooks/alerts`)).status).toBe(405);
    expect(
      (await fetch(`${url}/hooks/alerts`, { method: "POST", body: JSON.stringify({ ...FRIDGE_ALERT, id: "a2" }) }))
        .status,
    ).toBe(204);
  }, 60_000);
});
