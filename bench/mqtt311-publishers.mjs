// Publishers for the broker section: the same { clients, failed, close() } that mqtt-publish.mjs's openPublishers
// gives publishBurst, but speaking MQTT 3.1.1, because aedes (under our edge broker and bare) refuses MQTT 5.
import mqtt from "mqtt";

/**
 * `count` connected MQTT 3.1.1 clients at `brokerUrl` (credentials in the URL if the broker wants them). `failed`
 * rejects when one loses its connection, so publishes in flight end the run with an error instead of waiting
 * forever; `close()` ends them all (forced; safe to call twice).
 */
export async function openPublishers311(brokerUrl, count) {
  const clients = [];
  let closing;
  let fail;
  const failed = new Promise((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {}); // observed by the runs that race it; not an unhandled rejection when none is running
  const close = () => {
    closing ??= Promise.all(clients.map((client) => client.endAsync(true)));
    return closing;
  };
  try {
    for (let index = 0; index < count; index++) {
      const client = await mqtt.connectAsync(brokerUrl, {
        clientId: `bench-pub-${process.pid}-${index}-${Math.random().toString(36).slice(2, 8)}`,
        clean: true,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      client.on("error", (error) => fail(new Error(`publisher ${index}: ${error.message}`)));
      client.on("close", () => {
        if (!closing) fail(new Error(`publisher ${index}: the broker closed the connection`));
      });
      clients.push(client);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { clients, failed, close };
}
