import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@coffee-edge/node18-typescript";
import { createAuthenticator } from "@coffee-edge/node18-typescript/auth";
import { startTestServer, type TestServer } from "@coffee-edge/node18-typescript/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openInventoryStore } from "./deps.js";
import handler, { createHandler } from "./handler.js";
import { request } from "./test-helpers.js";

// What the build-context proof and an operator see: the default export, and a database that is not there yet.

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("the deployed handler", () => {
  it("answers the build proof's {hello: world} with a 400 problem, before touching any database", async () => {
    server = await startTestServer(handler);
    const answer = await request(server.url, { method: "POST", body: { hello: "world" } });
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe("application/problem+json");
    expect(answer.body.type).toBe("https://coffee-edge.dev/problems/invalid-request");
  });
});

describe("a store that cannot be opened", () => {
  const folder = mkdtempSync(join(tmpdir(), "inventory-unavailable-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("answers 503 store-unavailable without the reason, logs it, and opens the store at a later request", async () => {
    const logged: string[] = [];
    let attempts = 0;
    const opened: Array<Awaited<ReturnType<typeof openInventoryStore>>> = [];
    const inventory = createHandler({
      openStore: async () => {
        attempts++;
        if (attempts === 1) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
        const store = await openInventoryStore(`sqlite:${join(folder, "later.db")}`);
        opened.push(store);
        return store;
      },
      authenticator: createAuthenticator({ functionName: "inventory-check", env: {}, secrets: { mountPath: folder } }),
      clock: () => new Date(),
      logger: createLogger((line) => logged.push(line)),
    });
    const running = await startTestServer(inventory);
    server = running;
    try {
      const down = await request(`${running.url}/?store=store042`);
      expect(down.status).toBe(503);
      expect(down.contentType).toBe("application/problem+json");
      expect(down.body.type).toBe("https://coffee-edge.dev/problems/store-unavailable");
      expect(down.headers.get("retry-after")).toBe("5");
      expect(JSON.stringify(down.body)).not.toContain("ECONNREFUSED");
      expect(logged.join("\n")).toContain("ECONNREFUSED");

      const up = await request(`${running.url}/?store=store042`);
      expect(up.status).toBe(200);
      expect(up.body).toEqual({ store: "store042", items: [] });
      expect(attempts).toBe(2);
    } finally {
      for (const store of opened) await store.close();
    }
  });

  it("answers 503 auth-not-configured for a restock when no token key is mounted", async () => {
    const inventory = createHandler({
      openStore: () => Promise.reject(new Error("not needed")),
      authenticator: createAuthenticator({ functionName: "inventory-check", env: {}, secrets: { mountPath: folder } }),
      clock: () => new Date(),
      logger: createLogger(() => undefined),
    });
    const running = await startTestServer(inventory);
    server = running;
    const answer = await request(`${running.url}/stock`, {
      method: "PUT",
      body: { store: "store042", sku: "MILK-1L", quantity: 1, lowStockThreshold: 0 },
      headers: { authorization: "Bearer abc.def.ghi" },
    });
    expect(answer.status).toBe(503);
    expect(answer.body.type).toBe("https://coffee-edge.dev/problems/auth-not-configured");
  });
});
