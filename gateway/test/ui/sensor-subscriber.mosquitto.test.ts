import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { LiveFeed } from "../../src/ui/live-feed.js";
import { type SensorSubscriber, startSensorSubscriber } from "../../src/ui/sensor-subscriber.js";
import { waitFor } from "../edge/support.js";
import { type Mosquitto, mosquittoAvailable, startMosquitto } from "../support/mosquitto.js";

const run = promisify(execFile);
const available = mosquittoAvailable();

// The Mosquitto requirement itself is checked (and fails under CI=true) by the simulate suite.
describe.runIf(available)("the dashboard's sensor subscription against a real Mosquitto (MQTT_BROKER=external)", () => {
  let broker: Mosquitto | undefined;
  let subscriber: SensorSubscriber | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await subscriber?.stop();
    await broker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    subscriber = undefined;
    broker = undefined;
    dir = undefined;
  });

  it("follows the sensors anonymously, as the MQTT connector connects to a broker it did not start", async () => {
    broker = await startMosquitto();
    const feed = new LiveFeed();
    const lines: string[] = [];
    subscriber = startSensorSubscriber({ brokerUrl: broker.url, feed, say: (line) => lines.push(line) });
    await waitFor(
      "the subscription",
      () => lines.some((line) => line.includes("following store/+/fridge/+/temp")),
      5000,
    );
    const sensor = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    await sensor.publishAsync("store/s9/fridge/f1/temp", '{"temp":41,"unit":"F"}', { qos: 1 });
    await sensor.publishAsync("store/s9/espresso/m1/shot", "not a shot", { qos: 1 });
    await sensor.publishAsync("store/s9/espresso/m1/shot", '{"id":"x","shots":1}', { qos: 1 });
    await sensor.endAsync();
    await waitFor("the reading", () => feed.snapshot().fridges.length === 1, 5000);
    expect(feed.snapshot().fridges[0]).toMatchObject({ store: "s9", fridge: "f1", tempC: [5] });
  });

  it("says plainly when the broker refuses it, and never prints the password", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "dashboard-mqtt-"));
    const passwords = path.join(dir, "passwords");
    await run("mosquitto_passwd", ["-b", "-c", passwords, "dashboard", "the-right-one"]);
    // Mosquitto started as root reads its files as the mosquitto user.
    await chmod(dir, 0o755);
    await chmod(passwords, 0o644);
    broker = await startMosquitto({ allowAnonymous: false, config: [`password_file ${passwords}`] });
    const wrong = path.join(dir, "dashboard");
    await writeFile(wrong, "a-wrong-password-123\n");
    const lines: string[] = [];
    subscriber = startSensorSubscriber({
      brokerUrl: broker.url,
      user: { username: "dashboard", passwordFile: wrong },
      feed: new LiveFeed(),
      say: (line) => lines.push(line),
    });
    await waitFor(
      "the refusal",
      () => lines.some((line) => /Not authorized|Bad User Name or Password/i.test(line)),
      5000,
    );
    expect(lines.join("\n")).not.toContain("a-wrong-password-123");
    expect(lines.join("\n")).not.toContain("the-right-one");
  });
});
