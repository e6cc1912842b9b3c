// Runs `coffee-edge up` as a child process on a temporary stack folder, for the gateway sections: the load
// generator and the measuring process never share the gateway's event loop.
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "./servers.mjs";

export const TRIVIAL_HANDLER = join(import.meta.dirname, "fixtures", "trivial");
const COFFEE_EDGE = join(root, "gateway", "bin", "coffee-edge.js");

/**
 * The ENV of the template's image (Dockerfile) that the gateway gives each replica: a shell started by hand
 * gets the same, so the two run the same configuration (NODE_ENV=production above all).
 */
export const IMAGE_ENV = {
  mode: "http",
  upstream_url: "http://127.0.0.1:3000",
  exec_timeout: "10s",
  read_timeout: "15s",
  write_timeout: "15s",
  prefix_logs: "false",
  NODE_ENV: "production",
};

/** A port the OS says is free now (the gateway binds it a moment later). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One GET or POST without keep-alive: { status, body } (a connection error rejects). */
export function httpCall(url, { method = "GET", headers = {}, body, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns true; throws naming `what` after `timeoutMs`. */
export async function waitFor(what, check, { timeoutMs = 30_000, everyMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** stack.yml for functions served by the bench's trivial handler through the repository's template. */
function stackYaml(functions) {
  const lines = ["version: 1.0", "provider:", "  name: openfaas", "functions:"];
  for (const fn of functions) {
    lines.push(
      `  ${fn.name}:`,
      "    lang: node18-typescript",
      `    handler: ${JSON.stringify(fn.handler ?? TRIVIAL_HANDLER)}`,
      `    image: bench/${fn.name}:latest`,
    );
    for (const key of ["labels", "environment"]) {
      if (!fn[key]) continue;
      lines.push(`    ${key}:`);
      for (const [name, value] of Object.entries(fn[key])) lines.push(`      ${name}: ${JSON.stringify(value)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Starts the gateway with `functions` in a fresh temp folder (stack.yml, the template linked in, DATA_DIR) and
 * resolves once `GET /function/<first>` answers 200. `stop()` ends it (SIGTERM, SIGKILL after a bound) and
 * removes the folder; it is safe to call twice. A start that fails cleans up before it throws.
 */
export async function startGateway(functions, env = {}, { startTimeoutMs = 90_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "bench-edge-"));
  mkdirSync(join(dir, "template"));
  symlinkSync(join(root, "template", "node18-typescript"), join(dir, "template", "node18-typescript"));
  writeFileSync(join(dir, "stack.yml"), stackYaml(functions));
  const dataDir = join(dir, "data");
  const port = await freePort();
  const logFile = join(dir, "gateway.log");
  // A file, not a pipe: draining the gateway's output here would cost this process CPU during the load.
  const out = openSync(logFile, "w");
  const child = spawn(process.execPath, [COFFEE_EDGE, "up", "-f", join(dir, "stack.yml")], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME ?? dir,
      GATEWAY_PORT: String(port),
      DATA_DIR: dataDir,
      // No broker (not coffee-edge's, nor one on the port) unless a section brings one: nothing to share the machine with.
      MQTT_BROKER: "external",
      MQTT_PORT: String(await freePort()),
      ...env,
    },
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  let exited = false;
  const exit = new Promise((resolve) => child.once("exit", resolve));
  child.once("exit", () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const logTail = () => {
    try {
      return readFileSync(logFile, "utf8").slice(-3000);
    } catch {
      return "";
    }
  };
  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      if (!exited) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        await exit;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  try {
    await waitFor(
      `${functions[0].name} answering through the gateway`,
      async () => {
        if (exited) throw new Error(`the gateway exited before it served:\n${logTail()}`);
        try {
          return (await httpCall(`${url}/function/${functions[0].name}`, { timeoutMs: 2000 })).status === 200;
        } catch {
          return false;
        }
      },
      { timeoutMs: startTimeoutMs, everyMs: 100 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const password = readFileSync(join(dataDir, "secrets", "basic-auth-password"), "utf8").trim();
  return {
    url,
    pid: child.pid,
    dataDir,
    auth: `Basic ${Buffer.from(`admin:${password}`).toString("base64")}`,
    logTail,
    stop,
  };
}

/** The process ids of `pid`'s children (the gateway's replicas), from /proc (Linux). */
export function childPids(pid) {
  let children;
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
  // The function replicas only: `coffee-edge up` also runs the connectors as its children.
  return children.filter((child) => {
    try {
      return !readFileSync(`/proc/${child}/cmdline`, "utf8").includes("-connector");
    } catch {
      return false;
    }
  });
}

/** A value of the gateway's Prometheus text, e.g. `gateway_async_queue_depth` (NaN when absent). */
export async function metricValue(gateway, name) {
  const { body } = await httpCall(`${gateway.url}/metrics`);
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([-+\\d.eE]+|NaN)$`, "m").exec(body);
  return match ? Number(match[1]) : Number.NaN;
}
