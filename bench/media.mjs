// The binary functions through the shell over HTTP against the bare library doing the same work in
// this process: kiosk-image vs bare sharp (12-megapixel JPEG), receipt vs bare pdfkit (same document).
// Each round times a few operations back to back on each side; the ratio is of the median times.

import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import sharp from "sharp";
import { root, startSubject, subjects } from "./servers.mjs";
import { alternate, fmt, median, printTable } from "./stats.mjs";

const shellArgs = subjects.shell.args;

async function timeEach(operation, count) {
  const times = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await operation();
    times.push(performance.now() - started);
  }
  return median(times);
}

async function post(url, body, contentType) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": contentType }, body });
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${bytes.toString().slice(0, 300)}`);
  return bytes;
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
    const runs = await alternate(["bare", "function"], rounds, (name) =>
      timeEach(name === "bare" ? bare : viaFunction, perRound),
    );
    const bareMs = median(runs.bare);
    const functionMs = median(runs.function);
    printTable(
      `kiosk-image vs bare sharp: a ${(input.length / 1e6).toFixed(1)} MB 4000×3000 JPEG to grayscale JPEG, ${rounds} rounds × ${perRound} conversions each`,
      [
        ["metric (median)", "bare sharp, in process", "kiosk-image over HTTP", "function / bare"],
        ["ms per conversion", fmt(bareMs, 1), fmt(functionMs, 1), fmt(functionMs / bareMs, 2)],
      ],
    );
    const ratio = functionMs / bareMs;
    console.log(`\nkiosk-image time ratio: ${ratio.toFixed(2)} (goal ≤ 1.10: ${ratio <= 1.1 ? "met" : "not met"})`);
  } finally {
    await server.stop();
  }
}

export async function receiptVsPdfkit({ rounds, quick }) {
  const receiptDist = join(root, "functions", "receipt", "dist");
  const { renderReceipt } = await import(pathToFileURL(join(receiptDist, "render.js")).href);
  const { exampleOrder } = await import(pathToFileURL(join(receiptDist, "example-order.js")).href);
  const body = JSON.stringify(exampleOrder);
  const server = await startSubject({ args: shellArgs, env: { FUNCTION_DIR: join(root, "functions", "receipt") } });
  try {
    // pdfkit drawing the same document in this process: no HTTP, no shell, no validation.
    const bare = () => renderReceipt(exampleOrder);
    const viaFunction = () => post(server.url, body, "application/json");
    if (!(await bare()).equals(await viaFunction())) throw new Error("receipt and bare pdfkit made different PDFs");
    const perRound = quick ? 10 : 40;
    for (let warm = 0; warm < 20; warm++) await Promise.all([bare(), viaFunction()]);
    const runs = await alternate(["bare", "function"], rounds, (name) =>
      timeEach(name === "bare" ? bare : viaFunction, perRound),
    );
    const bareMs = median(runs.bare);
    const functionMs = median(runs.function);
    printTable(`receipt vs bare pdfkit: the example order, ${rounds} rounds × ${perRound} renders each`, [
      ["metric (median)", "bare pdfkit, in process", "receipt over HTTP", "function / bare"],
      ["ms per receipt", fmt(bareMs, 2), fmt(functionMs, 2), fmt(functionMs / bareMs, 2)],
    ]);
    const ratio = functionMs / bareMs;
    console.log(`\nreceipt time ratio: ${ratio.toFixed(2)} (goal ≤ 1.20: ${ratio <= 1.2 ? "met" : "not met"})`);
  } finally {
    await server.stop();
  }
}
