// The edge broker: QoS 1 messages/s through our broker (users + ACLs on every CONNECT/PUBLISH/SUBSCRIBE, LevelDB
// persistence, metrics) against bare aedes with its in-memory persistence and no auth (bench/bare-aedes.mjs), in
// the same run, alternating rounds; and the bridge: messages/s forwarded from our broker to a central Mosquitto,
// with their order checked. Both brokers, the subscribers and Mosquitto are child processes; this process only
// publishes and polls counters.
// MAX_PUBLISH_RATE is 1,000,000/s so the per-client rate limit (500/s by default) does not cap the run: the
// figure is what the broker's code costs, not its configured limit.
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { httpCall, sleep, waitFor } from "./edge.mjs";
import {
  addBrokerUser,
  requireBuiltBroker,
  startEdgeBroker,
  temporaryDataDir,
  urlWithUser,
} from "./edge-broker-process.mjs";
import { requireMosquitto, startMosquitto } from "./mosquitto.mjs";
import { publishBurst, topicsUnder } from "./mqtt-publish.mjs";
import { openPublishers311 } from "./mqtt311-publishers.mjs";
import { cpuMs, startSubject } from "./servers.mjs";
import { alternate, fmt, medianOfRuns, printTable } from "./stats.mjs";

const STORE_ID = "store001";
const TOPICS = topicsUnder(`store/${STORE_ID}/bench`, 20);
const PUBLISHERS = 4;
const WINDOW = 100; // unacknowledged publishes per publisher
const MAX_PUBLISH_RATE = "1000000";
const POLL_MS = 20;
// No new arrival for this long and the run ends: what has not arrived by then is counted as lost.
const STALL_MS = 10_000;
// After the last expected arrival, how long to look for extra ones (a message delivered twice).
const SETTLE_MS = 200;
const BRIDGE_CONNECT_TIMEOUT_MS = 10_000;

const getJson = async (url) => {
  const { status, body } = await httpCall(url);
  if (status !== 200) throw new Error(`GET ${url} answered ${status}: ${body}`);
  return JSON.parse(body);
};

/**
 * Polls `arrivals()` (a running total) until it is `before + count`, or nothing new came for STALL_MS.
 * Returns { endAt (performance.now() of the poll that saw the last one; NaN if some never came), arrived, extra }.
 */
async function waitForArrivals(arrivals, before, count) {
  let arrived = (await arrivals()) - before;
  let progressAt = performance.now();
  while (arrived < count) {
    await sleep(POLL_MS);
    const now = (await arrivals()) - before;
    if (now > arrived) progressAt = performance.now();
    arrived = now;
    if (performance.now() - progressAt > STALL_MS) return { endAt: Number.NaN, arrived, extra: 0 };
  }
  const endAt = performance.now();
  await sleep(SETTLE_MS);
  return { endAt, arrived: Math.min(arrived, count), extra: (await arrivals()) - before - count };
}

/** One run: `count` messages published as fast as `subject`'s broker acknowledges them, to its subscriber. */
async function throughputRun(subject, count) {
  const before = await subject.arrivals();
  const cpuBefore = cpuMs(subject.brokerPid);
  const { startedAt, ackedAt } = await publishBurst(subject.publishers, TOPICS, count, { window: WINDOW });
  const { endAt, arrived, extra } = await waitForArrivals(subject.arrivals, before, count);
  return {
    rps: (count * 1000) / (endAt - startedAt),
    publishRps: (count * 1000) / (ackedAt - startedAt),
    brokerCpuUsPerMessage: ((cpuMs(subject.brokerPid) - cpuBefore) * 1000) / arrived,
    lost: count - arrived,
    extra,
  };
}

/** Our broker and bare aedes, each with a QoS 1 subscriber to store/# and PUBLISHERS connected publishers. */
async function startBrokerSubjects(stoppers) {
  const data = temporaryDataDir();
  stoppers.push(data.remove);
  const sensorPassword = addBrokerUser(data.dir, "bench-sensor", "sensor", STORE_ID);
  const connectorPassword = addBrokerUser(data.dir, "bench-connector", "connector");
  const ours = await startEdgeBroker(data.dir, { MAX_PUBLISH_RATE });
  stoppers.push(ours.stop);
  const bare = await startSubject({ args: [join(import.meta.dirname, "bare-aedes.mjs")], env: {} });
  stoppers.push(bare.stop);
  const bareUrl = bare.url.replace("http:", "mqtt:");

  const subject = async (brokerPid, subscriberUrl, publisherUrl) => {
    const subscriber = await startSubject({
      args: [join(import.meta.dirname, "broker-subscriber.mjs")],
      env: { BROKER_URL: subscriberUrl, FILTER: "store/#" },
    });
    stoppers.push(subscriber.stop);
    const publishers = await openPublishers311(publisherUrl, PUBLISHERS);
    stoppers.push(publishers.close);
    return { brokerPid, publishers, arrivals: async () => (await getJson(`${subscriber.url}/count`)).count };
  };
  return {
    ours: await subject(
      ours.pid,
      urlWithUser(ours.port, "bench-connector", connectorPassword),
      urlWithUser(ours.port, "bench-sensor", sensorPassword),
    ),
    bare: await subject(bare.pid, bareUrl, bareUrl),
  };
}

async function brokerVsBareAedes({ quick, rounds }, stoppers) {
  const count = quick ? 30_000 : 100_000;
  const subjects = await startBrokerSubjects(stoppers);
  const names = ["ours", "bare"];
  for (const name of names) await throughputRun(subjects[name], 2000); // warm-up: JIT, LevelDB files
  const runs = await alternate(names, rounds, (name) => throughputRun(subjects[name], count));
  const tp = Object.fromEntries(names.map((name) => [name, medianOfRuns(runs[name])]));
  const total = (name, key) => runs[name].reduce((sum, run) => sum + run[key], 0);
  const row = (label, key, digits = 0) => [
    label,
    fmt(tp.bare[key], digits),
    fmt(tp.ours[key], digits),
    fmt(tp.ours[key] / tp.bare[key], 2),
  ];
  printTable(
    `broker: QoS 1, ${PUBLISHERS} publishers × ${WINDOW} unacknowledged, ${TOPICS.length} topics, one QoS 1 subscriber to store/#, ` +
      `${count} messages per run, ${rounds} rounds; ours: users + ACLs + LevelDB persistence, MAX_PUBLISH_RATE ${MAX_PUBLISH_RATE}/s ` +
      "(the per-client limit never applies); bare: aedes with in-memory persistence, no auth",
    [
      ["metric", "bare aedes", "our edge broker", "ours / bare"],
      row("messages/s, first publish → last arrival (median of rounds)", "rps"),
      row("messages/s acknowledged to the publishers (median)", "publishRps"),
      row("broker process CPU µs/message (median)", "brokerCpuUsPerMessage", 1),
      [
        "messages lost / delivered twice (all runs)",
        ...["bare", "ours"].map((n) => `${total(n, "lost")} / ${total(n, "extra")}`),
        "",
      ],
    ],
  );
  return {
    ratio: tp.ours.rps / tp.bare.rps,
    ours: tp.ours,
    bare: tp.bare,
    lost: total("ours", "lost") + total("bare", "lost"),
  };
}

/** Our broker bridging store/# to a central Mosquitto under stores/store001/, a subscriber there, one publisher. */
async function startBridgeSubject(stoppers) {
  const central = await startMosquitto();
  stoppers.push(central.stop);
  const data = temporaryDataDir();
  stoppers.push(data.remove);
  const sensorPassword = addBrokerUser(data.dir, "bench-sensor", "sensor", STORE_ID);
  const ours = await startEdgeBroker(data.dir, {
    MAX_PUBLISH_RATE,
    HEALTH_PORT: "0",
    BRIDGE_URL: central.url,
    BRIDGE_TOPICS: "store/#",
    STORE_ID,
    BRIDGE_PREFIX: "stores/{storeId}/",
  });
  stoppers.push(ours.stop);
  // /healthz answers 200 once the bridge is connected to the central broker.
  await waitFor(
    "the bridge to connect to the central broker",
    async () => {
      const { status } = await httpCall(`http://127.0.0.1:${ours.healthPort}/healthz`).catch(() => ({}));
      return status === 200;
    },
    { timeoutMs: BRIDGE_CONNECT_TIMEOUT_MS },
  ).catch((error) => {
    throw new Error(`${error.message}\n${ours.log()}`);
  });
  const subscriber = await startSubject({
    args: [join(import.meta.dirname, "broker-subscriber.mjs")],
    env: { BROKER_URL: central.url, FILTER: "stores/#", CHECK_ORDER: "true" },
  });
  stoppers.push(subscriber.stop);
  // One publisher: its messages reach the broker in the order of their numbers, so the central side can check
  // the bridge kept that order (several publishers have no order among them).
  const publishers = await openPublishers311(urlWithUser(ours.port, "bench-sensor", sensorPassword), 1);
  stoppers.push(publishers.close);
  return { brokerPid: ours.pid, publishers, subscriberUrl: subscriber.url };
}

async function bridgeRun(subject, count) {
  await httpCall(`${subject.subscriberUrl}/reset`, { method: "POST" });
  const arrivals = async () => (await getJson(`${subject.subscriberUrl}/count`)).count;
  const cpuBefore = cpuMs(subject.brokerPid);
  const { startedAt, ackedAt } = await publishBurst(subject.publishers, TOPICS, count, { window: WINDOW });
  const { endAt, arrived, extra } = await waitForArrivals(arrivals, 0, count);
  const { outOfOrder, duplicates } = await getJson(`${subject.subscriberUrl}/count`);
  return {
    rps: (count * 1000) / (endAt - startedAt),
    publishRps: (count * 1000) / (ackedAt - startedAt),
    brokerCpuUsPerMessage: ((cpuMs(subject.brokerPid) - cpuBefore) * 1000) / arrived,
    lost: count - arrived,
    extra,
    outOfOrder,
    duplicates,
  };
}

async function bridgeForwarding({ quick, rounds }, stoppers) {
  const count = quick ? 10_000 : 40_000;
  const subject = await startBridgeSubject(stoppers);
  await bridgeRun(subject, 1000); // warm-up: JIT, the outbox file
  const runs = [];
  for (let round = 0; round < rounds; round++) runs.push(await bridgeRun(subject, count));
  const median = medianOfRuns(runs);
  const total = (key) => runs.reduce((sum, run) => sum + run[key], 0);
  printTable(
    `broker bridge: 1 publisher × ${WINDOW} unacknowledged QoS 1 to our broker (store/${STORE_ID}/bench/…), bridged ` +
      `(BRIDGE_TOPICS store/#, BRIDGE_PREFIX stores/{storeId}/) to a central Mosquitto, one QoS 1 subscriber there to stores/#; ` +
      `${count} messages per run, ${rounds} runs`,
    [
      ["metric", "bridge"],
      ["messages/s forwarded, first local publish → last central arrival (median)", fmt(median.rps)],
      ["messages/s acknowledged to the local publisher (median)", fmt(median.publishRps)],
      ["broker process CPU µs/message (median)", fmt(median.brokerCpuUsPerMessage, 1)],
      [
        "messages lost / delivered twice / out of order (all runs)",
        `${total("lost")} / ${total("duplicates") + total("extra")} / ${total("outOfOrder")}`,
      ],
    ],
  );
  return {
    rps: median.rps,
    lost: total("lost"),
    outOfOrder: total("outOfOrder"),
    duplicates: total("duplicates") + total("extra"),
  };
}

export async function brokerVsAedes(options) {
  requireBuiltBroker();
  requireMosquitto();
  const loadBefore = loadavg()[0];
  const stoppers = [];
  let ratio;
  try {
    ratio = await brokerVsBareAedes(options, stoppers);
  } finally {
    for (const stop of stoppers.splice(0).reverse()) await stop();
  }
  let bridge;
  try {
    bridge = await bridgeForwarding(options, stoppers);
  } catch (error) {
    console.log(`\nbroker bridge: MISSING, the bridge run failed: ${error.message}`);
  } finally {
    for (const stop of stoppers.splice(0).reverse()) await stop();
  }
  console.log(
    `\nbroker throughput ratio ours/bare aedes: ${ratio.ratio.toFixed(2)} (${fmt(ratio.ours.rps)} vs ${fmt(ratio.bare.rps)} messages/s); ` +
      (bridge
        ? `bridge forwarding: ${fmt(bridge.rps)} messages/s, ${bridge.lost === 0 && bridge.outOfOrder === 0 && bridge.duplicates === 0 ? "all arrived, in order, once" : `${bridge.lost} lost, ${bridge.outOfOrder} out of order, ${bridge.duplicates} twice`}; `
        : "bridge: not measured; ") +
      `${availableParallelism()} CPUs, 1-minute load average ${loadBefore.toFixed(2)} before the section started`,
  );
  if (ratio.lost > 0) console.log(`FAILURE: the broker runs lost ${ratio.lost} messages (goal: nothing lost)`);
  if (bridge && (bridge.lost > 0 || bridge.outOfOrder > 0)) {
    console.log(`FAILURE: the bridge lost ${bridge.lost} and reordered ${bridge.outOfOrder} messages (goal: none)`);
  }
}
