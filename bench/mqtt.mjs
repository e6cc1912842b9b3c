// The MQTT connector: QoS 1 messages from publishers to a function through the gateway, against (a) the raw broker
// (the same publishers to a plain QoS 1 subscriber, no connector, no function) and (b) a connector that invokes one
// message at a time (OpenFaaS's mqtt-connector design, bench/serial-connector.mjs) on the same gateway and
// function. Throughput: N messages published as fast as the broker takes them, counted until the last one reached
// its destination (nothing may be lost). Latency: publish-to-function at a steady 1,000 messages/s, read from a
// fixture handler that compares a send timestamp in the payload with its own clock.
// Broker, gateway (+ replicas), our connector, the serial connector and the raw subscriber are child processes;
// this process only publishes and polls counters.

import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { freePort, httpCall, sleep, startGateway } from "./edge.mjs";
import { requireMosquitto, startMosquitto } from "./mosquitto.mjs";
import { startMqttConnector } from "./mqtt-connector.mjs";
import { annotateFunctions, okInvocations } from "./mqtt-functions.mjs";
import { openPublishers, publishBurst, publishSteady, topicsUnder } from "./mqtt-publish.mjs";
import { cpuMs, startSubject } from "./servers.mjs";
import { alternate, fmt, medianOfRuns, printTable } from "./stats.mjs";

const TRIVIAL = "trivial";
const LATENCY = "latency";
const LATENCY_HANDLER = join(import.meta.dirname, "fixtures", "latency");
// One replica each that never scales (to more, or to zero), no in-flight limit, and an exec_timeout far above any
// latency of the run: the gateway forwards every invocation and limits none.
const LABELS = { "com.openfaas.scale.min": "1", "com.openfaas.scale.max": "1", "com.openfaas.scale.zero": "false" };
const ENVIRONMENT = { max_inflight: "0", exec_timeout: "30s" };
const FUNCTIONS = [
  { name: TRIVIAL, labels: LABELS, environment: ENVIRONMENT, annotations: { topic: "bench/+" } },
  {
    name: LATENCY,
    handler: LATENCY_HANDLER,
    labels: LABELS,
    environment: ENVIRONMENT,
    annotations: { topic: "latency/+" },
  },
];

const TOPICS = 20;
const PUBLISHERS = 4;
const WINDOW = 100; // unacknowledged publishes per publisher
// Our connector runs one invocation per (topic, function) lane at a time, so with 20 topics any max_inflight
// above 20 allows the same concurrency. Of 16, 32 and 64 tried on a 2-vCPU machine, 32 was the best (by less
// than the spread between runs). BENCH_MQTT_MAX_INFLIGHT tries another.
const MAX_INFLIGHT = Number(process.env.BENCH_MQTT_MAX_INFLIGHT ?? 32);
const LATENCY_RATE = 1000;
const GOAL = 2;
const POLL_MS = 20;
// No new arrival for this long and the run ends: what has not arrived by then is counted as lost.
const STALL_MS = 10_000;
// After the last expected arrival, how long to look for extra ones (a message delivered twice).
const SETTLE_MS = 200;

const getJson = async (url) => {
  const { status, body } = await httpCall(url);
  if (status !== 200) throw new Error(`GET ${url} answered ${status}: ${body}`);
  return JSON.parse(body);
};

/**
 * Polls `arrivals()` (a running total) until it is `before + count`, or nothing new came for STALL_MS.
 * Returns { endAt (performance.now() of the poll that saw the last one), arrived, extra }.
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

/** One throughput run: `count` messages published as fast as the broker acknowledges them, to `subject`. */
async function throughputRun(subject, publishers, count) {
  const before = await subject.arrivals();
  const cpuBefore = cpuMs(subject.pid);
  const { startedAt, ackedAt } = await publishBurst(publishers, subject.topics, count, { window: WINDOW });
  const { endAt, arrived, extra } = await waitForArrivals(subject.arrivals, before, count);
  return {
    rps: (count * 1000) / (endAt - startedAt),
    publishRps: (count * 1000) / (ackedAt - startedAt),
    cpuUsPerMessage: ((cpuMs(subject.pid) - cpuBefore) * 1000) / arrived,
    lost: count - arrived,
    extra,
  };
}

/** One latency run: LATENCY_RATE messages/s for `seconds`; the subject's recorded latencies, drained. */
async function latencyRun(subject, publishers, seconds) {
  await getJson(subject.statsUrl); // forget whatever an earlier run left
  const total = await publishSteady(publishers, subject.latencyTopics, { rate: LATENCY_RATE, seconds });
  const latenciesMs = [];
  const arrivals = async () => {
    const stats = await getJson(subject.statsUrl);
    latenciesMs.push(...stats.latenciesMs);
    return latenciesMs.length;
  };
  const { arrived, extra } = await waitForArrivals(arrivals, 0, total);
  return { latenciesMs, lost: total - arrived, extra };
}

/** The p-th percentile (0 < p ≤ 1) of a list of numbers, nearest rank. */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

export async function mqttConnector({ quick, rounds }) {
  requireMosquitto();
  // Our connector needs CPU of its own besides the gateway's and the replica's: on a small machine, other work
  // moves its figure more than the one-at-a-time connector's, which mostly waits. The summary says how busy it was.
  const loadBefore = loadavg()[0];
  const count = quick ? 20_000 : 40_000;
  const latencySeconds = quick ? 3 : 10;
  const stoppers = [];
  try {
    const broker = await startMosquitto();
    stoppers.push(broker.stop);
    // MQTT_PORT on a port nothing answers: a gateway that starts its own mqtt-connector when it finds a broker
    // there must not find one, or a second connector would invoke the bench's functions too.
    const gateway = await startGateway(FUNCTIONS, { MQTT_PORT: String(await freePort()) });
    stoppers.push(gateway.stop);
    await annotateFunctions(gateway, FUNCTIONS);
    const connector = await startMqttConnector({ gateway, brokerUrl: broker.url, maxInflight: MAX_INFLIGHT });
    stoppers.push(connector.stop);
    const serial = await startSubject({
      args: [join(import.meta.dirname, "serial-connector.mjs")],
      env: { BROKER_URL: broker.url, FILTER: "serial/+/+", GATEWAY_URL: gateway.url },
    });
    stoppers.push(serial.stop);
    const raw = await startSubject({
      args: [join(import.meta.dirname, "mqtt-subscriber.mjs")],
      env: { BROKER_URL: broker.url, FILTER: "raw/#", LATENCY_PREFIX: "raw/latency/" },
    });
    stoppers.push(raw.stop);
    const publishers = await openPublishers(broker.url, PUBLISHERS);
    stoppers.push(publishers.close);

    const fromGateway = {
      arrivals: () => okInvocations(gateway, TRIVIAL),
      statsUrl: `${gateway.url}/function/${LATENCY}/stats`,
    };
    const subjects = {
      raw: {
        pid: raw.pid,
        topics: topicsUnder("raw/throughput", TOPICS),
        latencyTopics: topicsUnder("raw/latency", TOPICS),
        arrivals: async () => (await getJson(`${raw.url}/count`)).count,
        statsUrl: `${raw.url}/stats`,
      },
      serial: {
        ...fromGateway,
        pid: serial.pid,
        topics: topicsUnder(`serial/${TRIVIAL}`, TOPICS),
        latencyTopics: topicsUnder(`serial/${LATENCY}`, TOPICS),
      },
      ours: {
        ...fromGateway,
        pid: connector.pid,
        topics: topicsUnder("bench", TOPICS),
        latencyTopics: topicsUnder("latency", TOPICS),
      },
    };
    const names = Object.keys(subjects);

    for (const name of names) {
      // Warm-up: JIT, connections to the gateway, the connector's queue file.
      await throughputRun(subjects[name], publishers, 2000);
      await latencyRun(subjects[name], publishers, 0.5);
    }
    const throughput = await alternate(names, rounds, (name) => throughputRun(subjects[name], publishers, count));
    // The latency samples of each subject in `rounds` alternating parts, pooled.
    const latency = await alternate(names, rounds, (name) =>
      latencyRun(subjects[name], publishers, latencySeconds / rounds),
    );

    const tp = Object.fromEntries(names.map((name) => [name, medianOfRuns(throughput[name])]));
    const lat = Object.fromEntries(
      names.map((name) => {
        const samples = latency[name].flatMap((run) => run.latenciesMs);
        return [name, { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), samples: samples.length }];
      }),
    );
    const lost = Object.fromEntries(
      names.map((name) => [
        name,
        {
          lost: [...throughput[name], ...latency[name]].reduce((sum, run) => sum + run.lost, 0),
          extra: [...throughput[name], ...latency[name]].reduce((sum, run) => sum + run.extra, 0),
        },
      ]),
    );
    const row = (label, key, source, digits = 0) => [
      label,
      fmt(source.raw[key], digits),
      fmt(source.serial[key], digits),
      fmt(source.ours[key], digits),
      fmt(source.ours[key] / source.raw[key], 2),
      fmt(source.ours[key] / source.serial[key], 2),
    ];
    printTable(
      `mqtt connector: QoS 1, ${PUBLISHERS} publishers × ${WINDOW} unacknowledged, ${TOPICS} topics, ${count} messages per run, ${rounds} rounds; ` +
        `latency at a steady ${LATENCY_RATE}/s, ${latencySeconds} s per subject in ${rounds} alternating parts; ` +
        `our connector max_inflight ${MAX_INFLIGHT}, queue_sync normal; the function is the trivial handler (latency: bench/fixtures/latency) through the gateway`,
      [
        [
          "metric",
          "raw broker (subscriber, no connector)",
          "one-at-a-time connector",
          "our mqtt-connector",
          "ours / raw",
          "ours / one-at-a-time",
        ],
        row("messages/s, first publish → last arrival (median of rounds)", "rps", tp),
        row("messages/s acknowledged to the publishers (median)", "publishRps", tp),
        row("subscriber/connector process CPU µs/message (median)", "cpuUsPerMessage", tp, 1),
        row(`p50 publish → arrival ms at ${LATENCY_RATE}/s`, "p50", lat, 2),
        row(`p99 publish → arrival ms at ${LATENCY_RATE}/s`, "p99", lat, 2),
        [
          "messages lost / delivered twice (all runs)",
          ...names.map((name) => `${lost[name].lost} / ${lost[name].extra}`),
          "",
          "",
        ],
      ],
    );
    const ratio = tp.ours.rps / tp.serial.rps;
    const met = ratio >= GOAL && lost.ours.lost === 0;
    console.log(
      `\nmqtt throughput ratio ours/one-at-a-time: ${ratio.toFixed(2)} (goal ≥ ${GOAL} with nothing lost: ${met ? "met" : "not met"}); ` +
        `ours/raw broker: ${(tp.ours.rps / tp.raw.rps).toFixed(2)}; one-at-a-time: ${fmt(tp.serial.rps)} messages/s; ` +
        `latency samples: ${names.map((name) => `${name} ${lat[name].samples}`).join(", ")}; ` +
        `${availableParallelism()} CPUs, 1-minute load average ${loadBefore.toFixed(2)} before the section started`,
    );
    for (const name of names) {
      if (lost[name].lost > 0) console.log(`FAILURE: ${name} lost ${lost[name].lost} messages (goal: nothing lost)`);
    }
  } finally {
    for (const stop of stoppers.reverse()) await stop();
  }
}
