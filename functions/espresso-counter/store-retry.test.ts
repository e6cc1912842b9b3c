import { startTestServer, type TestServer } from "@coffee-edge/node18-typescript/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { createHandler, defaultDeps, type EspressoHandler } from "./handler.js";
import { freshDatabase, type TestDatabase } from "./test-helpers.js";

describe("opening the store", () => {
  let database: TestDatabase;
  let handler: EspressoHandler;
  let server: TestServer;
  let opens = 0;

  beforeEach(async () => {
    database = await freshDatabase("sqlite");
    const env = { DATABASE_URL: database.url };
    const open = defaultDeps(env).openStore;
    opens = 0;
    handler = createHandler({
      config: loadConfig(env),
      // The first open fails, as when the database is not up yet.
      openStore: async () => {
        opens++;
        if (opens === 1) throw new Error("database not reachable");
        return open();
      },
      now: () => new Date("2024-02-01T12:00:00Z"),
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    server = await startTestServer(handler);
  });
  afterEach(async () => {
    await server?.close();
    await handler?.close();
    await database?.drop();
  });

  const shot = () =>
    fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-topic": "store/s1/espresso/m1/shot" },
      body: JSON.stringify({ id: "e-1", shots: 1 }),
    });

  it("answers 500 without the cause while the store cannot be opened, and opens it on a later request", async () => {
    const failed = await shot();
    expect(failed.status).toBe(500);
    expect(await failed.text()).not.toContain("database not reachable");
    const counted = await shot();
    expect(counted.status).toBe(200);
    expect(await counted.json()).toMatchObject({ count: 1 });
    await shot();
    expect(opens).toBe(2); // opened once, then kept
  });

  it("does not open the store for a request it refuses", async () => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(400);
    expect(opens).toBe(0);
  });
});
