// npm run bench [-- --quick]: the template shell against a bare node:http server answering the same bytes,
// with the same load tool (wrk) in the same run, in alternating rounds. Prints requests/s, p50/p99 latency,
// server CPU per request and memory, each as a ratio to bare. The servers run as child processes.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { cpuMs, rssMiB, startSubject, subjects } from "./servers.mjs";

const run = promisify(execFile);
const quick = process.argv.includes("--quick");
const rounds = quick ? 2 : 5;
const seconds = quick ? 2 : 5;
const connections = 32;

try {
  execFileSync("wrk", ["--version"], { stdio: "ignore" });
} catch (error) {
  // wrk exits 1 after printing its version; only a missing binary is a problem.
  if (error.code === "ENOENT") {
    console.error("npm run bench needs wrk, the HTTP load generator: apt-get install wrk");
    process.exit(1);
  }
}

/** One wrk run: requests/s, latency percentiles in ms, and the server's CPU µs per request. */
async function measure(server, duration) {
  const cpuBefore = cpuMs(server.pid);
  const { stdout } = await run("wrk", ["-t1", `-c${connections}`, `-d${duration}s`, "--latency", server.url]);
  const requests = Number(/(\d+) requests in/.exec(stdout)[1]);
  if (/Non-2xx|Socket errors/.test(stdout)) throw new Error(`errors under load:\n${stdout}`);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)[1]),
    p50: latencyMs(stdout, "50%"),
    p99: latencyMs(stdout, "99%"),
    cpuUsPerRequest: ((cpuMs(server.pid) - cpuBefore) * 1000) / requests,
  };
}

function latencyMs(stdout, percentile) {
  const [, value, unit] = new RegExp(`${percentile}\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
  return Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const names = Object.keys(subjects);
const servers = {};
for (const name of names) {
  servers[name] = await startSubject(subjects[name]);
  await measure(servers[name], 1); // warm-up: JIT and connections
}
const runs = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  // Alternate the order each round so neither side always runs on a warmer or busier machine.
  for (const name of round % 2 === 0 ? names : [...names].reverse())
    runs[name].push(await measure(servers[name], seconds));
}
const memory = {};
for (const name of names) {
  memory[name] = rssMiB(servers[name].pid);
  await servers[name].stop();
}

const summary = Object.fromEntries(
  names.map((name) => [
    name,
    Object.fromEntries(Object.keys(runs[name][0]).map((key) => [key, median(runs[name].map((r) => r[key]))])),
  ]),
);
const { bare, shell } = summary;
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const rows = [
  ["metric (median of rounds)", subjects.bare.label, subjects.shell.label, "shell / bare"],
  ["requests/s", fmt(bare.rps), fmt(shell.rps), fmt(shell.rps / bare.rps, 2)],
  ["p50 latency ms", fmt(bare.p50, 3), fmt(shell.p50, 3), fmt(shell.p50 / bare.p50, 2)],
  ["p99 latency ms", fmt(bare.p99, 3), fmt(shell.p99, 3), fmt(shell.p99 / bare.p99, 2)],
  [
    "server CPU µs/request",
    fmt(bare.cpuUsPerRequest, 1),
    fmt(shell.cpuUsPerRequest, 1),
    fmt(shell.cpuUsPerRequest / bare.cpuUsPerRequest, 2),
  ],
  ["server RSS after load MiB", fmt(memory.bare, 1), fmt(memory.shell, 1), fmt(memory.shell / memory.bare, 2)],
];
const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => String(row[col]).length)));
console.log(
  `\ntemplate shell vs bare node:http: wrk, 1 thread, ${connections} connections, GET, ${rounds} rounds × ${seconds} s, Node ${process.version}\n`,
);
for (const [index, row] of rows.entries()) {
  console.log(`| ${row.map((cell, col) => String(cell).padEnd(widths[col])).join(" | ")} |`);
  if (index === 0) console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
}
const ratio = shell.rps / bare.rps;
console.log(`\nthroughput ratio shell/bare: ${ratio.toFixed(2)} (goal ≥ 0.80: ${ratio >= 0.8 ? "met" : "not met"})`);
