// Async calls accepted per second with durability on (the gateway commits each call to its SQLite queue before
// its 202) against the same clients POSTing to a bare node:http server that answers 202 and stores nothing.
import { join } from "node:path";
import { metricValue, startGateway } from "./edge.mjs";
import { BODY, postLoad } from "./post-load.mjs";
import { cpuMs, startSubject } from "./servers.mjs";
import { alternate, fmt, medianOfRuns, printTable } from "./stats.mjs";

const FUNCTION = "trivial";
const CLIENTS = 32;
const LABELS = { "com.openfaas.scale.min": "1", "com.openfaas.scale.zero": "false" };

/** One load run with the server's CPU per accepted call (its whole process: for the gateway, the worker too). */
async function acceptRun(server, path, seconds) {
  const cpuBefore = cpuMs(server.pid);
  const result = await postLoad(server.url, path, seconds, { clients: CLIENTS });
  return { ...result, cpuUsPerCall: ((cpuMs(server.pid) - cpuBefore) * 1000) / result.count };
}

/**
 * A gateway of its own for each round (fresh DATA_DIR), so the queue one round leaves on disk never slows the
 * next; the queue depth is read from /metrics as the round ends, before the gateway stops.
 */
async function gatewayRound(seconds) {
  const gateway = await startGateway([{ name: FUNCTION, labels: LABELS }]);
  try {
    const server = { url: gateway.url, pid: gateway.pid };
    const path = `/async-function/${FUNCTION}`;
    const warmUp = await postLoad(server.url, path, 1, { clients: CLIENTS }); // JIT, connections, the queue file
    const result = await acceptRun(server, path, seconds);
    const queueDepth = await metricValue(gateway, "gateway_async_queue_depth");
    return { ...result, queueDepth, acceptedSinceStart: warmUp.count + result.count };
  } finally {
    await gateway.stop();
  }
}

export async function asyncAccept({ rounds, seconds }) {
  const bare = await startSubject({ args: [join(import.meta.dirname, "bare-accept-server.mjs")], env: {} });
  try {
    await postLoad(bare.url, "/", 1, { clients: CLIENTS }); // warm-up
    const runs = await alternate(["bare", "gateway"], rounds, (name) =>
      name === "bare" ? acceptRun(bare, "/", seconds) : gatewayRound(seconds),
    );
    const b = medianOfRuns(runs.bare);
    const g = medianOfRuns(runs.gateway);
    printTable(
      `async accept: ${CLIENTS} clients (undici, keep-alive) POSTing a ${BODY.length}-byte JSON body, ${rounds} rounds × ${seconds} s; the gateway commits each call to its on-disk queue before answering 202`,
      [
        [
          "metric (median of rounds)",
          "bare node:http 202, nothing stored",
          "gateway /async-function",
          "gateway / bare",
        ],
        ["accepted calls/s", fmt(b.rps), fmt(g.rps), fmt(g.rps / b.rps, 2)],
        ["p50 latency ms", fmt(b.p50, 3), fmt(g.p50, 3), fmt(g.p50 / b.p50, 2)],
        ["p99 latency ms", fmt(b.p99, 3), fmt(g.p99, 3), fmt(g.p99 / b.p99, 2)],
        [
          "server CPU µs/accepted call",
          fmt(b.cpuUsPerCall, 1),
          fmt(g.cpuUsPerCall, 1),
          fmt(g.cpuUsPerCall / b.cpuUsPerCall, 2),
        ],
      ],
    );
    const depths = runs.gateway.map((run) => `${fmt(run.queueDepth)} of ${run.acceptedSinceStart}`);
    console.log(
      `\nasync accept ratio gateway/bare: ${(g.rps / b.rps).toFixed(2)} (no goal set); ` +
        `queue depth at the end of each gateway round (gateway_async_queue_depth, of the calls it accepted, warm-up included): ${depths.join(", ")}`,
    );
  } finally {
    await bare.stop();
  }
}
