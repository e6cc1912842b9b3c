// The template shell against a bare node:http server answering the same bytes (GET, trivial handler).
import { rssMiB, startSubject, subjects } from "./servers.mjs";
import { alternate, fmt, medianOfRuns, printTable } from "./stats.mjs";
import { CONNECTIONS, measure } from "./wrk.mjs";

export async function shellVsBare({ rounds, seconds }) {
  const names = ["bare", "shell"];
  const servers = {};
  for (const name of names) {
    servers[name] = await startSubject(subjects[name]);
    await measure(servers[name], 1); // warm-up: JIT and connections
  }
  const runs = await alternate(names, rounds, (name) => measure(servers[name], seconds));
  const memory = {};
  for (const name of names) {
    memory[name] = rssMiB(servers[name].pid);
    await servers[name].stop();
  }
  const bare = medianOfRuns(runs.bare);
  const shell = medianOfRuns(runs.shell);
  printTable(
    `template shell vs bare node:http: wrk, 1 thread, ${CONNECTIONS} connections, GET, ${rounds} rounds × ${seconds} s, Node ${process.version}`,
    [
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
    ],
  );
  const ratio = shell.rps / bare.rps;
  console.log(`\nthroughput ratio shell/bare: ${ratio.toFixed(2)} (goal ≥ 0.80: ${ratio >= 0.8 ? "met" : "not met"})`);
}
