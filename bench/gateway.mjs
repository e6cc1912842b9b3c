// The gateway's hop: the trivial handler's shell called (a) directly, (b) through a bare undici reverse proxy,
// (c) through the gateway's /function/<name>. Each front runs as its own process; wrk drives them in turn.
import { join } from "node:path";
import { childPids, IMAGE_ENV, startGateway, TRIVIAL_HANDLER } from "./edge.mjs";
import { cpuMs, startSubject, subjects } from "./servers.mjs";
import { alternate, fmt, medianOfRuns, printTable } from "./stats.mjs";
import { CONNECTIONS, measure } from "./wrk.mjs";

const FUNCTION = "trivial";
// One replica that never scales (to more, or to zero), no in-flight limit, and an exec_timeout far above any
// latency of the run: the gateway forwards every request and limits none.
const LABELS = { "com.openfaas.scale.min": "1", "com.openfaas.scale.max": "1", "com.openfaas.scale.zero": "false" };
const ENVIRONMENT = { max_inflight: "0", exec_timeout: "30s" };
const GOAL = 0.85;

/** One wrk run against `front`, with the CPU the shell behind it used per request (when there is one). */
async function measureHop({ front, path, shellPid }, seconds) {
  const shellCpuBefore = cpuMs(shellPid);
  const result = await measure(front, seconds, { path });
  // wrk's own count is not returned: requests/s × seconds is close enough for a per-request CPU figure.
  const shellCpuUsPerRequest = ((cpuMs(shellPid) - shellCpuBefore) * 1000) / (result.rps * seconds);
  return { ...result, shellCpuUsPerRequest };
}

export async function gatewayVsProxy({ rounds, seconds }) {
  const stoppers = [];
  try {
    const shell = await startSubject({
      args: subjects.shell.args,
      env: { ...IMAGE_ENV, ...ENVIRONMENT, FUNCTION_DIR: TRIVIAL_HANDLER },
    });
    stoppers.push(shell.stop);
    const proxy = await startSubject({
      args: [join(import.meta.dirname, "undici-proxy.mjs")],
      env: { UPSTREAM_URL: shell.url },
    });
    stoppers.push(proxy.stop);
    const gateway = await startGateway([{ name: FUNCTION, labels: LABELS, environment: ENVIRONMENT }]);
    stoppers.push(gateway.stop);
    const replicas = childPids(gateway.pid);
    if (replicas.length !== 1) throw new Error(`expected one replica of ${FUNCTION}, found ${replicas.length}`);

    const targets = {
      direct: { front: shell, path: "/", shellPid: shell.pid },
      proxy: { front: proxy, path: "/", shellPid: shell.pid },
      gateway: { front: { url: gateway.url, pid: gateway.pid }, path: `/function/${FUNCTION}`, shellPid: replicas[0] },
    };
    const names = Object.keys(targets);
    for (const name of names) await measureHop(targets[name], 1); // warm-up: JIT and connections
    const runs = await alternate(names, rounds, (name) => measureHop(targets[name], seconds));
    if (childPids(gateway.pid).length !== 1) throw new Error(`${FUNCTION} did not stay at one replica under load`);

    const direct = medianOfRuns(runs.direct);
    const viaProxy = medianOfRuns(runs.proxy);
    const viaGateway = medianOfRuns(runs.gateway);
    direct.cpuUsPerRequest = Number.NaN; // its front is the shell itself: no hop to count
    const ratios = (key, digits = 2) => [
      fmt(viaProxy[key] / direct[key], digits),
      fmt(viaGateway[key] / direct[key], digits),
      fmt(viaGateway[key] / viaProxy[key], digits),
    ];
    printTable(
      `gateway hop: the trivial handler's shell direct, behind a bare undici proxy, behind the gateway (/function/${FUNCTION}); wrk, 1 thread, ${CONNECTIONS} connections, GET, ${rounds} rounds × ${seconds} s`,
      [
        [
          "metric (median of rounds)",
          "shell direct",
          "undici proxy",
          "gateway",
          "proxy / direct",
          "gateway / direct",
          "gateway / proxy",
        ],
        ["requests/s", fmt(direct.rps), fmt(viaProxy.rps), fmt(viaGateway.rps), ...ratios("rps")],
        ["p50 latency ms", fmt(direct.p50, 3), fmt(viaProxy.p50, 3), fmt(viaGateway.p50, 3), ...ratios("p50")],
        ["p99 latency ms", fmt(direct.p99, 3), fmt(viaProxy.p99, 3), fmt(viaGateway.p99, 3), ...ratios("p99")],
        [
          "hop process CPU µs/request",
          "n/a (no hop)",
          fmt(viaProxy.cpuUsPerRequest, 1),
          fmt(viaGateway.cpuUsPerRequest, 1),
          ...ratios("cpuUsPerRequest"),
        ],
        [
          "shell CPU µs/request",
          fmt(direct.shellCpuUsPerRequest, 1),
          fmt(viaProxy.shellCpuUsPerRequest, 1),
          fmt(viaGateway.shellCpuUsPerRequest, 1),
          ...ratios("shellCpuUsPerRequest"),
        ],
      ],
    );
    const ratio = viaGateway.rps / viaProxy.rps;
    console.log(
      `\nthroughput ratio gateway/bare proxy: ${ratio.toFixed(2)} (goal ≥ ${GOAL}: ${ratio >= GOAL ? "met" : "not met"})`,
    );
  } finally {
    for (const stop of stoppers.reverse()) await stop();
  }
}
