// wrk, the HTTP load generator, driven from Node: one measurement of one server.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { cpuMs } from "./servers.mjs";

const run = promisify(execFile);
export const CONNECTIONS = 32;

export function requireWrk() {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
  } catch (error) {
    // wrk exits 1 after printing its version; only a missing binary is a problem.
    if (error.code === "ENOENT") {
      console.error("npm run bench needs wrk, the HTTP load generator: apt-get install wrk");
      process.exit(1);
    }
  }
}

/**
 * One wrk run: requests/s, latency percentiles in ms, and the server's CPU µs per request.
 * `script` is a wrk Lua file (e.g. one that POSTs a new order each time); `env` reaches it through os.getenv.
 */
export async function measure(server, seconds, { script, env, path = "/" } = {}) {
  const cpuBefore = cpuMs(server.pid);
  const args = ["-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency"];
  if (script) args.push("-s", script);
  const { stdout } = await run("wrk", [...args, `${server.url}${path}`], { env: { ...process.env, ...env } });
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
