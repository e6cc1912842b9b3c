import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { afterAll, expect, it } from "vitest";
import { basicAuth, type ChildEdge, freePort, killGroup, spawnEdge, waitUntilServing } from "./child-edge.js";
import { REPO_ROOT, waitFor } from "./support.js";

let edge: ChildEdge | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  killGroup(edge);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it("npm start brings up every function of stack.yml behind the gateway, and stops cleanly on SIGTERM", async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "npm-start-"));
  const port = await freePort();
  // A free MQTT_PORT: npm start runs coffee-edge's broker there, and the MQTT connector on it.
  const mqttPort = await freePort();
  const env = { GATEWAY_PORT: String(port), DATA_DIR: dataDir, MQTT_PORT: String(mqttPort) };
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
  // The banner comes once the broker and the connectors are up too, which may be after echo first answers.
  await waitFor("the banner", () => /coffee-edge is up/.test(edge?.output() ?? ""), 30_000);
  expect(edge.output()).toMatch(/password in .*basic-auth-password/);
  expect(edge.output()).toMatch(/curl -s http:\/\/127\.0\.0\.1:\d+\/function\/echo/);
  expect(edge.output()).toMatch(/mosquitto_pub -h 127\.0\.0\.1 -p \d+/);

  expect(edge.output()).toMatch(/cron-connector runs the functions' schedules/);
  expect(edge.output()).toMatch(/edge-broker on mqtt:\/\/127\.0\.0\.1:\d+/);
  expect(edge.output()).toMatch(/mqtt-connector on the broker at 127\.0\.0\.1:\d+ as mqtt-connector/);

  // A sensor reading, as store001's sensor user, through the broker, the MQTT connector and the gateway.
  const sensorPassword = (await readFile(path.join(dataDir, "secrets", "mqtt", "sensor-store001"), "utf8")).trim();
  const sensor = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
    reconnectPeriod: 0,
    username: "sensor-store001",
    password: sensorPassword,
  });
  const auth = { authorization: await basicAuth(dataDir) };
  const fridgeLog = async () =>
    (await fetch(`${edge?.url}/system/logs?name=fridge-temperature`, { headers: auth })).text();
  await waitFor(
    "the MQTT connector to subscribe",
    () => /mqtt-connector \| .*subscribed to .*store\/\+\/fridge\/\+\/temp/.test(edge?.output() ?? ""),
    30_000,
  );
  await sensor.publishAsync("store/store001/fridge/fridge-1/temp", JSON.stringify({ temp: 3.9, unit: "C" }), {
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
