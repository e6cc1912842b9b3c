// Cold start: a request to a function scaled to zero until its first answer through the gateway, against
// spawning the same shell with the same handler by hand and polling it until its first 200.
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { childPids, freePort, httpCall, IMAGE_ENV, sleep, startGateway, TRIVIAL_HANDLER, waitFor } from "./edge.mjs";
import { subjects } from "./servers.mjs";
import { alternate, fmt, median, printTable } from "./stats.mjs";

const FUNCTION = "cold";
// Scale to zero through the API only: the autoscaler's own idle timer must not start or stop anything.
const LABELS = { "com.openfaas.scale.min": "1", "com.openfaas.scale.max": "1", "com.openfaas.scale.zero": "false" };
const ENVIRONMENT = { max_inflight: "0", exec_timeout: "30s" };
const GOAL = 1.5;
const FIRST_ANSWER_TIMEOUT_MS = 30_000;
// Both sides idle this long before a sample, so neither starts while the machine still cleans up the last one.
const SETTLE_MS = 300;

/** Scales the function to zero and waits until the gateway reports no replica and the process is gone. */
async function scaleToZero(gateway) {
  const scaled = await httpCall(`${gateway.url}/system/scale-function/${FUNCTION}`, {
    method: "POST",
    headers: { authorization: gateway.auth, "content-type": "application/json" },
    body: JSON.stringify({ serviceName: FUNCTION, replicas: 0 }),
  });
  if (scaled.status !== 202) throw new Error(`scale to zero answered ${scaled.status}: ${scaled.body}`);
  await waitFor(`${FUNCTION} at zero replicas`, async () => {
    const { status, body } = await httpCall(`${gateway.url}/system/function/${FUNCTION}`, {
      headers: { authorization: gateway.auth },
    });
    if (status !== 200) throw new Error(`GET /system/function/${FUNCTION} answered ${status}: ${body}`);
    return JSON.parse(body).availableReplicas === 0 && childPids(gateway.pid).length === 0;
  });
}

/** ms from the request to the end of its answer, the function having been scaled to zero first. */
async function throughGateway(gateway) {
  await scaleToZero(gateway);
  await sleep(SETTLE_MS);
  const started = performance.now();
  const answer = await httpCall(`${gateway.url}/function/${FUNCTION}`, { timeoutMs: FIRST_ANSWER_TIMEOUT_MS });
  const ms = performance.now() - started;
  if (answer.status !== 200) throw new Error(`cold call answered ${answer.status}: ${answer.body}`);
  return ms;
}

/** ms from spawning the shell to the end of its first 200, polling it every 5 ms; the shell is stopped after. */
async function byHand() {
  const port = await freePort();
  await sleep(SETTLE_MS);
  const started = performance.now();
  const child = spawn(process.execPath, subjects.shell.args, {
    env: {
      PATH: process.env.PATH,
      ...IMAGE_ENV,
      ...ENVIRONMENT,
      FUNCTION_DIR: TRIVIAL_HANDLER,
      http_port: String(port),
    },
    stdio: "ignore",
  });
  let exited = false;
  const exit = new Promise((resolve) => child.once("exit", resolve));
  child.once("exit", () => {
    exited = true;
  });
  try {
    let status;
    await waitFor(
      "the hand-started shell's first answer",
      async () => {
        if (exited) throw new Error("the hand-started shell exited before it answered");
        try {
          status = (await httpCall(`http://127.0.0.1:${port}/`, { timeoutMs: 2000 })).status;
          return true;
        } catch {
          return false; // not listening yet
        }
      },
      { timeoutMs: FIRST_ANSWER_TIMEOUT_MS, everyMs: 5 },
    );
    const ms = performance.now() - started;
    if (status !== 200) throw new Error(`the hand-started shell answered ${status}`);
    return ms;
  } finally {
    if (!exited) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exit;
      clearTimeout(killer);
    }
  }
}

export async function coldStart({ quick }) {
  const samples = quick ? 3 : 5;
  const gateway = await startGateway([{ name: FUNCTION, labels: LABELS, environment: ENVIRONMENT }]);
  try {
    const measureOne = { "by hand": byHand, gateway: () => throughGateway(gateway) };
    const names = Object.keys(measureOne);
    for (const name of names) await measureOne[name](); // warm-up: the files in the page cache, the JIT here
    const runs = await alternate(names, samples, (name) => measureOne[name]());
    const hand = runs["by hand"];
    const edge = runs.gateway;
    const ratio = median(edge) / median(hand);
    printTable(
      `cold start: first answer of the trivial handler, ${samples} alternating samples each (scaled to zero through /system/scale-function vs spawning the shell by hand)`,
      [
        ["metric", "shell spawned by hand", "gateway from zero", "gateway / by hand"],
        ["median ms", fmt(median(hand), 1), fmt(median(edge), 1), fmt(ratio, 2)],
        ["fastest ms", fmt(Math.min(...hand), 1), fmt(Math.min(...edge), 1), ""],
        ["slowest ms", fmt(Math.max(...hand), 1), fmt(Math.max(...edge), 1), ""],
      ],
    );
    console.log(
      `\ncold-start ratio gateway/by hand: ${ratio.toFixed(2)} (goal ≤ ${GOAL}: ${ratio <= GOAL ? "met" : "not met"})`,
    );
  } finally {
    await gateway.stop();
  }
}
