import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { afterAll, expect, it } from "vitest";
import { type Mosquitto, startMosquitto } from "../support/mosquitto.js";
import { basicAuth, type ChildEdge, freePort, killGroup, spawnEdge, waitUntilServing } from "./child-edge.js";
import { REPO_ROOT, waitFor } from "./support.js";

let edge: ChildEdge | undefined;
let dataDir: string | undefined;
let broker: Mosquitto | undefined;

afterAll(async () => {
  killGroup(edge);
  await broker?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it("npm start brings up every function of stack.yml behind the gateway, and stops cleanly on SIGTERM", async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "npm-start-"));
  const port = await freePort();
  // A broker of the test's own on MQTT_PORT: npm start then runs the MQTT connector against it.
  broker = await startMosquitto();
  const env = { GATEWAY_PORT: String(port), DATA_DIR: dataDir, MQTT_PORT: String(broker.port) };
  edge = spawnEdge("npm", ["start", "--silent"], REPO_ROOT, env, port);
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

  expect(edge.output()).toMatch(/cron-connector runs the functions' schedules/);
  expect(edge.output()).toMatch(/mqtt-connector on the broker at 127\.0\.0\.1:\d+/);

  // A sensor reading through the broker reaches fridge-temperature through the MQTT connector and the gateway.
  const sensor = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  const auth = { authorization: await basicAuth(dataDir) };
  const fridgeLog = async () =>
    (await fetch(`${edge?.url}/system/logs?name=fridge-temperature`, { headers: auth })).text();
  await waitFor(
    "the MQTT connector to subscribe",
    () => /mqtt-connector \| .*subscribed to .*store\/\+\/fridge\/\+\/temp/.test(edge?.output() ?? ""),
    30_000,
  );
  await sensor.publishAsync("store/store007/fridge/fridge-1/temp", JSON.stringify({ temp: 3.9, unit: "C" }), {
    qos: 1,
  });
  await sensor.endAsync();
  // Each NDJSON line carries the function's own JSON log line as text: `\"status\":200` once escaped.
  await waitFor(
    "the reading to reach fridge-temperature",
    async () => /request completed.*\\"status\\":200/.test(await fridgeLog()),
    20_000,
  );

  edge.child.kill("SIGTERM"); // npm passes it on to `coffee-edge up`
  expect(await edge.exited).toBe(0);
  expect(edge.output()).toMatch(/gateway \| stopped/);
}, 150_000);
