import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { basicAuth, type ChildEdge, freePort, killGroup, spawnEdge, waitUntilServing } from "./child-edge.js";
import { REPO_ROOT } from "./support.js";

let edge: ChildEdge | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  killGroup(edge);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it("npm start brings up every function of stack.yml behind the gateway, and stops cleanly on SIGTERM", async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "npm-start-"));
  const port = await freePort();
  edge = spawnEdge("npm", ["start", "--silent"], REPO_ROOT, { GATEWAY_PORT: String(port), DATA_DIR: dataDir }, port);
  await waitUntilServing(edge, "echo", 90_000);

  const echo = await fetch(`${edge.url}/function/echo`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ hello: "world" }),
  });
  expect(((await echo.json()) as { body: unknown }).body).toEqual({ hello: "world" });
  const list = (await (
    await fetch(`${edge.url}/system/functions`, { headers: { authorization: await basicAuth(dataDir) } })
  ).json()) as Array<{ name: string }>;
  expect(list.map((fn) => fn.name).sort()).toEqual(
    ["echo", "espresso-counter", "fridge-temperature", "inventory-check", "kiosk-image", "payment", "receipt"].sort(),
  );
  expect(edge.output()).toMatch(/coffee-edge is up/);
  expect(edge.output()).toMatch(/password in .*basic-auth-password/);
  expect(edge.output()).toMatch(/curl -s http:\/\/127\.0\.0\.1:\d+\/function\/echo/);
  expect(edge.output()).toMatch(/mosquitto_pub -h 127\.0\.0\.1 -p \d+/);

  edge.child.kill("SIGTERM"); // npm passes it on to `coffee-edge up`
  expect(await edge.exited).toBe(0);
  expect(edge.output()).toMatch(/gateway \| stopped/);
}, 150_000);
