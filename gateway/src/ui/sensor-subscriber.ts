import { readFileSync } from "node:fs";
import mqtt from "mqtt";
import type { LiveFeed } from "./live-feed.js";
import { parseSensorMessage } from "./sensor-message.js";

/** The sensors' topics (design §5) the dashboard draws. */
export const SENSOR_FILTERS = ["store/+/fridge/+/temp", "store/+/espresso/+/shot"];

export interface SensorSubscriberOptions {
  readonly brokerUrl: string;
  /** coffee-edge's broker: the read-only `dashboard` user. None: anonymous, as the MQTT connector then connects. */
  readonly user?: { readonly username: string; readonly passwordFile: string };
  readonly feed: LiveFeed;
  /** One line for the gateway's log; never carries the password. */
  readonly say: (text: string) => void;
}

export interface SensorSubscriber {
  stop(): Promise<void>;
}

/**
 * Subscribes server-side to the sensors' topics and feeds the dashboard. Server-side rather than from the page
 * over the broker's WebSocket: the page then needs no MQTT password, the same code works against our broker and
 * an already-running Mosquitto (which has no WebSocket listener by default), and one subscription serves every page.
 * QoS 0 and a clean session: a chart that misses a reading while the gateway restarts loses nothing that matters.
 */
export function startSensorSubscriber(options: SensorSubscriberOptions): SensorSubscriber {
  const { user, say } = options;
  const client = mqtt.connect(options.brokerUrl, {
    clientId: `coffee-edge-dashboard-${process.pid}`,
    clean: true,
    reconnectPeriod: 2000,
    connectTimeout: 5000,
    ...(user ? { username: user.username, password: readFileSync(user.passwordFile, "utf8").trim() } : {}),
  });
  let reported = "";
  const report = (text: string) => {
    // One line per change of state, not one per reconnect attempt.
    if (text !== reported) say(`dashboard: ${text}`);
    reported = text;
  };
  client.on("connect", () => {
    client.subscribe(SENSOR_FILTERS, { qos: 0 }, (error) => {
      if (error) report(`cannot subscribe to the sensors' topics: ${error.message}`);
      else
        report(`following ${SENSOR_FILTERS.join(", ")} on ${options.brokerUrl}${user ? ` as ${user.username}` : ""}`);
    });
  });
  client.on("error", (error) => report(`broker ${options.brokerUrl}: ${error.message}`));
  client.on("message", (topic, payload) => {
    const event = parseSensorMessage(topic, payload);
    if (event) options.feed.publish(event);
  });
  return {
    stop: async () => {
      await client.endAsync(true);
    },
  };
}
