// The binary functions through the shell over HTTP against the bare library doing the same work in
// this process: kiosk-image vs bare sharp (12-megapixel JPEG), receipt vs bare pdfkit (same document).
// Each round times a few operations back to back on each side; the ratio is of the median times.

import { Agent, request } from "node:http";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import sharp from "sharp";
import { cpuMs, root, startSubject, subjects } from "./servers.mjs";
import { alternate, fmt, median, printTable } from "./stats.mjs";

const shellArgs = subjects.shell.args;

/**
 * Runs `operation` `count` times back to back: the median wall time of one, and the CPU time one costs in the
 * process doing the work (`cpuOf()`, in ms). CPU time is the steadier figure on a shared 2-core machine.
 */
async function timeEach(operation, count, cpuOf) {
  const times = [];
  const cpuBefore = cpuOf();
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await operation();
    times.push(performance.now() - started);
  }
  return { ms: median(times), cpuMs: (cpuOf() - cpuBefore) / count };
}

/** This process's CPU time in ms (the bare library runs here). */
const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Rows comparing the two sides: median wall time and CPU time per operation. */
function comparison(runs, unit) {
  const bare = { ms: median(runs.bare.map((r) => r.ms)), cpuMs: median(runs.bare.map((r) => r.cpuMs)) };
  const fn = { ms: median(runs.function.map((r) => r.ms)), cpuMs: median(runs.function.map((r) => r.cpuMs)) };
  return {
    bare,
    fn,
    rows: [
      [`ms per ${unit}, wall`, fmt(bare.ms, 2), fmt(fn.ms, 2), fmt(fn.ms / bare.ms, 2)],
      [`CPU ms per ${unit} (the working process)`, fmt(bare.cpuMs, 2), fmt(fn.cpuMs, 2), fmt(fn.cpuMs / bare.cpuMs, 2)],
    ],
  };
}

// node:http with a keep-alive agent rather than fetch: the client's own cost is counted on the function's side,
// so keep it as small as a client can make it.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function post(url, body, contentType) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", agent, headers: { "content-type": contentType, "content-length": body.length } },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => {
          const bytes = Buffer.concat(chunks);
          if (res.statusCode === 200) resolve(bytes);
          else reject(new Error(`${url} answered ${res.statusCode}: ${bytes.toString().slice(0, 300)}`));
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A 4000×3000 photo-like JPEG: smooth gradients plus noise, so it compresses like a camera image. */
async function twelveMegapixelJpeg() {
  const width = 4000;
  const height = 3000;
  const noise = await sharp({
    create: { width, height, channels: 3, noise: { type: "gaussian", mean: 128, sigma: 30 } },
  })
    .blur(1.5)
    .raw()
    .toBuffer();
  return sharp(noise, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

function report(name, wallRatio, cpuRatio, goal) {
  const verdict = (ratio) => (ratio <= goal ? "met" : "not met");
  console.log(
    `\n${name}: wall-time ratio ${wallRatio.toFixed(2)} (goal ≤ ${goal.toFixed(2)}: ${verdict(wallRatio)}), ` +
      `CPU-time ratio ${cpuRatio.toFixed(2)} (${verdict(cpuRatio)})`,
  );
}

export async function kioskVsSharp({ rounds, quick }) {
  const input = await twelveMegapixelJpeg();
  // The function's pipeline (functions/kiosk-image/grayscale.ts), written out with sharp alone.
  const bare = () =>
    sharp(input, { autoOrient: true, limitInputPixels: 50_000_000 })
      .flatten({ background: "#ffffff" })
      .toColourspace("b-w")
      .jpeg()
      .toBuffer();
  const server = await startSubject({
    args: shellArgs,
    env: {
      FUNCTION_DIR: join(root, "functions", "kiosk-image"),
      RAW_BODY: "true",
      MAX_RAW_SIZE: "20mb",
      write_timeout: "60s",
    },
  });
  try {
    const viaFunction = () => post(server.url, input, "image/jpeg");
    const [bareOut, functionOut] = [await bare(), await viaFunction()];
    const bareMeta = await sharp(bareOut).metadata();
    const functionMeta = await sharp(functionOut).metadata();
    if (bareMeta.width !== functionMeta.width || bareMeta.channels !== functionMeta.channels) {
      throw new Error("kiosk-image and bare sharp did not produce the same image");
    }
    const perRound = quick ? 2 : 5;
    const serverCpu = () => cpuMs(server.pid);
    const runs = await alternate(["bare", "function"], rounds, (name) =>
      name === "bare" ? timeEach(bare, perRound, ownCpuMs) : timeEach(viaFunction, perRound, serverCpu),
    );
    const { bare: b, fn, rows } = comparison(runs, "conversion");
    printTable(
      `kiosk-image vs bare sharp: a ${(input.length / 1e6).toFixed(1)} MB 4000×3000 JPEG to grayscale JPEG, ${rounds} rounds × ${perRound} conversions each`,
      [["metric (median)", "bare sharp, in process", "kiosk-image over HTTP", "function / bare"], ...rows],
    );
    report("kiosk-image", fn.ms / b.ms, fn.cpuMs / b.cpuMs, 1.1);
  } finally {
    await server.stop();
  }
}

export async function receiptVsPdfkit({ rounds, quick }) {
  const receiptDist = join(root, "functions", "receipt", "dist");
  const { renderReceipt } = await import(pathToFileURL(join(receiptDist, "render.js")).href);
  const { exampleOrder } = await import(pathToFileURL(join(receiptDist, "example-order.js")).href);
  const { default: handler } = await import(pathToFileURL(join(receiptDist, "handler.js")).href);
  const { startTestServer } = await import(
    pathToFileURL(join(root, "template", "node18-typescript", "dist", "testing.js")).href
  );
  const body = Buffer.from(JSON.stringify(exampleOrder));
  const server = await startSubject({ args: shellArgs, env: { FUNCTION_DIR: join(root, "functions", "receipt") } });
  // The same shell and handler served from this very process: separates what our layer costs from what a
  // second process costs (its own heap, GC and idle time between requests).
  const local = await startTestServer(handler);
  try {
    // pdfkit drawing the same document in this process: no HTTP, no shell, no validation.
    const bare = () => renderReceipt(exampleOrder);
    const viaFunction = () => post(server.url, body, "application/json");
    const viaLocalShell = () => post(local.url, body, "application/json");
    if (!(await bare()).equals(await viaFunction())) throw new Error("receipt and bare pdfkit made different PDFs");
    const perRound = quick ? 20 : 100;
    for (let warm = 0; warm < 100; warm++) {
      await bare();
      await viaFunction();
      await viaLocalShell();
    }
    const serverCpu = () => cpuMs(server.pid);
    const runs = await alternate(["bare", "function", "local"], rounds, (name) =>
      name === "bare"
        ? timeEach(bare, perRound, ownCpuMs)
        : name === "function"
          ? timeEach(viaFunction, perRound, serverCpu)
          : timeEach(viaLocalShell, perRound, ownCpuMs),
    );
    const { bare: b, fn, rows } = comparison(runs, "receipt");
    const localMs = median(runs.local.map((r) => r.ms));
    const localCpu = median(runs.local.map((r) => r.cpuMs));
    printTable(`receipt vs bare pdfkit: the example order, ${rounds} rounds × ${perRound} renders each`, [
      ["metric (median)", "bare pdfkit, in process", "receipt over HTTP", "function / bare"],
      ...rows,
    ]);
    console.log(
      `\nthe same shell and handler over HTTP inside the bench process (client included): ${fmt(localMs, 2)} ms wall ` +
        `(${fmt(localMs / b.ms, 2)}× bare), ${fmt(localCpu, 2)} CPU ms (${fmt(localCpu / b.cpuMs, 2)}× bare)`,
    );
    report("receipt", fn.ms / b.ms, fn.cpuMs / b.cpuMs, 1.2);
  } finally {
    await local.close();
    await server.stop();
  }
}
