import type { MqttClient } from "mqtt";
import type { BridgeLogger } from "./logger.js";
import type { QoS } from "./outbox.js";
import { topicMatches } from "./topic-filter.js";

/** Publishes a message on the local broker; resolves once the local broker has taken it. */
export type LocalPublish = (topic: string, payload: Buffer, qos: QoS) => Promise<void>;

export interface CommandRelayOptions {
  readonly client: MqttClient;
  /** The filter subscribed to on the central broker. */
  readonly filter: string;
  readonly toLocal: (centralTopic: string) => string;
  readonly localPublish: LocalPublish;
  readonly logger: BridgeLogger;
  readonly onRelayed: (localTopic: string) => void;
}

export interface CommandRelay {
  /** Subscribes (QoS 1) when the central broker has no session for us, or on this process's first connection. */
  onConnected(sessionPresent: boolean): void;
}

/**
 * Commands from the central broker, published on the local broker under their local topic. MQTT.js sends the
 * PUBACK only when `handleMessage` calls back, so a command is acknowledged once the local broker took it; when
 * that fails the connection is dropped instead, and the central broker (persistent session) delivers it again.
 * `handleMessage` takes one message at a time, which keeps the commands' order.
 */
export function startCommandRelay(options: CommandRelayOptions): CommandRelay {
  const { client, filter, logger } = options;
  let subscribedOnce = false;

  client.handleMessage = (packet, done) => {
    // Only our subscription delivers here; anything else (a broker's stray message) is acknowledged and ignored.
    if (!topicMatches(filter, packet.topic)) {
      done();
      return;
    }
    const localTopic = options.toLocal(packet.topic);
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : Buffer.from(packet.payload);
    options.localPublish(localTopic, payload, packet.qos).then(
      () => {
        options.onRelayed(localTopic);
        done();
      },
      (error: unknown) => {
        logger.warn(`bridge: could not publish a command locally on ${localTopic}: ${(error as Error).message}`);
        client.stream.destroy();
      },
    );
  };

  const subscribe = (): void => {
    client.subscribe(filter, { qos: 1 }, (error, granted) => {
      if (error) {
        // The connection dropped first: the next connection subscribes again (no session to resume).
        subscribedOnce = false;
        logger.warn(`bridge: subscribing to ${filter} at central failed: ${error.message}`);
        return;
      }
      const refused = granted?.some((grant) => grant.qos === 128) ?? false;
      if (refused) logger.warn(`bridge: the central broker refused the subscription to ${filter} (check its ACL)`);
      else logger.info(`bridge: relaying commands from central ${filter}`);
    });
  };

  return {
    onConnected(sessionPresent) {
      // A resumed session already holds the subscription; subscribing again would re-send its retained messages.
      if (sessionPresent && subscribedOnce) return;
      subscribedOnce = true;
      subscribe();
    },
  };
}
