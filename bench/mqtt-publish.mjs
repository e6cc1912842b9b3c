// The load generator of the mqtt section: QoS 1 publishers (MQTT.js), either as fast as the broker acknowledges
// (a window of unacknowledged publishes per client) or at a steady rate with a send timestamp in each payload.
import { performance } from "node:perf_hooks";
import mqtt from "mqtt";
import { sleep } from "./edge.mjs";

/** Wall-clock epoch ms with sub-ms precision; the latency fixture reads the same clock on its side. */
export const epochMs = () => performance.timeOrigin + performance.now();

// Far above any run's publishing: a broker that stops acknowledging ends the run with an error, not a hang.
const ACK_TIMEOUT_MS = 120_000;

/** Resolves `work`, or rejects when a publisher lost its connection or the broker left it unacknowledged too long. */
async function acknowledged(publishers, work) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`publishes not acknowledged within ${ACK_TIMEOUT_MS} ms`)),
      ACK_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([work, publishers.failed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `count` topics `<prefix>/0` … `<prefix>/<count-1>`. */
export const topicsUnder = (prefix, count) => Array.from({ length: count }, (_, index) => `${prefix}/${index}`);

async function connectPublisher(brokerUrl, index) {
  return mqtt.connectAsync(brokerUrl, {
    clientId: `bench-publisher-${process.pid}-${index}-${Math.random().toString(36).slice(2, 8)}`,
    clean: true,
    protocolVersion: 5,
    reconnectPeriod: 0,
  });
}

/**
 * Connected publishers for a run, so connecting is not part of what a run measures. `failed` rejects when one of
 * them loses its connection (publishes in flight would otherwise wait forever); `close()` ends them (safe to call
 * twice).
 */
export async function openPublishers(brokerUrl, count) {
  const clients = [];
  let closing;
  let fail;
  const failed = new Promise((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {}); // observed by the runs that race it; not an unhandled rejection when none is running
  try {
    for (let index = 0; index < count; index++) {
      const client = await connectPublisher(brokerUrl, index);
      client.on("error", (error) => fail(new Error(`publisher ${index}: ${error.message}`)));
      client.on("close", () => {
        if (!closing) fail(new Error(`publisher ${index}: the broker closed the connection`));
      });
      clients.push(client);
    }
  } catch (error) {
    closing = Promise.all(clients.map((client) => client.endAsync(true)));
    await closing;
    throw error;
  }
  return {
    clients,
    failed,
    close() {
      // Forced: every run awaited its acknowledgements already, and a broker that is gone must not hold this up.
      closing ??= Promise.all(clients.map((client) => client.endAsync(true)));
      return closing;
    },
  };
}

/**
 * Publishes `count` QoS 1 messages round-robin over `topics`, shared among the publishers, each keeping
 * `window` publishes unacknowledged at once. Resolves { startedAt, ackedAt } (performance.now() ms) once the
 * broker acknowledged them all; a refused publish rejects.
 */
export async function publishBurst(publishers, topics, count, { window = 100 } = {}) {
  let next = 0;
  const payload = (n) => `{"n":${n}}`;
  // Each lane publishes one message at a time; `window` lanes per client make its window.
  const lane = async (client) => {
    while (next < count) {
      const n = next++;
      await client.publishAsync(topics[n % topics.length], payload(n), { qos: 1 });
    }
  };
  const startedAt = performance.now();
  const lanes = publishers.clients.flatMap((client) => Array.from({ length: window }, () => lane(client)));
  await acknowledged(publishers, Promise.all(lanes));
  return { startedAt, ackedAt: performance.now() };
}

/**
 * Publishes QoS 1 messages at a steady `rate` per second for `seconds` from the first publisher, round-robin over
 * `topics`, each payload `{"sentAt": <epochMs()>}` taken just before it is handed to MQTT.js. Resolves the count
 * once the broker acknowledged them all.
 */
export async function publishSteady(publishers, topics, { rate, seconds }) {
  const client = publishers.clients[0];
  const pending = [];
  const startedAt = performance.now();
  const total = Math.round(rate * seconds);
  let sent = 0;
  while (sent < total) {
    // Catch up to where the schedule says we should be: a late timer sends a few at once, never fewer overall.
    const due = Math.min(total, Math.floor(((performance.now() - startedAt) * rate) / 1000));
    for (; sent < due; sent++) {
      const published = client.publishAsync(topics[sent % topics.length], `{"sentAt":${epochMs()}}`, { qos: 1 });
      published.catch(() => {}); // seen by Promise.all below; not an unhandled rejection while publishing goes on
      pending.push(published);
    }
    await Promise.race([sleep(1), publishers.failed]);
  }
  await acknowledged(publishers, Promise.all(pending));
  return total;
}
