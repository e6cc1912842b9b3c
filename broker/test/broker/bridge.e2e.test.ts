import mqtt from "mqtt";
import { afterAll, expect, it } from "vitest";
import { type Mosquitto, mosquittoAvailable, startMosquitto } from "../../../gateway/test/support/mosquitto.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

let central: Mosquitto | undefined;
let broker: TestBroker | undefined;
afterAll(async () => {
  await broker?.stop();
  await central?.stop();
});

it.runIf(mosquittoAvailable() || process.env.CI === "true")(
  "relays a sensor's readings to the central broker under the prefix, and a command back to the store",
  async () => {
    central = await startMosquitto();
    broker = await startTestBroker(
      [
        { name: "sensor042", role: "sensor", store: "store042" },
        { name: "dashboard", role: "dashboard" },
      ],
      {
        BRIDGE_URL: central.url,
        BRIDGE_TOPICS: "store/+/fridge/#",
        BRIDGE_PREFIX: "stores/{storeId}/",
        BRIDGE_COMMAND_TOPIC: "stores/store042/store/store042/cmd/#",
        STORE_ID: "store042",
      },
    );
    const headOffice = await mqtt.connectAsync(central.url, { reconnectPeriod: 0 });
    const atCentral: string[] = [];
    headOffice.on("message", (topic, payload) => atCentral.push(`${topic}=${payload.toString()}`));
    await headOffice.subscribeAsync("stores/#", { qos: 1 });
    const deadline = Date.now() + 10_000;
    while (!/bridge/.test(broker.logs()) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));

    const sensor = await broker.connect("sensor042");
    await sensor.publishAsync("store/store042/fridge/f1/temp", "4.4", { qos: 1 });
    await sensor.publishAsync("store/store042/espresso/m1/shot", "1", { qos: 1 }); // not in BRIDGE_TOPICS
    const waitFor = async (check: () => boolean) => {
      const until = Date.now() + 10_000;
      while (!check() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    await waitFor(() => atCentral.some((line) => line.includes("fridge")));
    expect(atCentral.filter((line) => !line.includes("/cmd/"))).toEqual([
      "stores/store042/store/store042/fridge/f1/temp=4.4",
    ]);

    const dashboard = await broker.connect("dashboard");
    const inStore: string[] = [];
    dashboard.on("message", (topic, payload) => inStore.push(`${topic}=${payload.toString()}`));
    await dashboard.subscribeAsync("store/store042/cmd/#", { qos: 1 });
    await headOffice.publishAsync("stores/store042/store/store042/cmd/fridge-1/setpoint", "3.5", { qos: 1 });
    await waitFor(() => inStore.length > 0);
    expect(inStore).toEqual(["store/store042/cmd/fridge-1/setpoint=3.5"]);
    await headOffice.endAsync();
  },
  30_000,
);
