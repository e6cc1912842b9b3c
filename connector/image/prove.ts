// The native proof of connector/Dockerfile from a shell, with the build's output shown as it runs:
//   npx vite-node connector/image/prove.ts [--keep]
// (vite-node comes with vitest and runs the TypeScript as the test does: npx vitest run connector/test/image).
// Exits 0 when the image builds and both connectors answer /healthz, 1 otherwise. The work folder is removed,
// unless --keep: then its ship/ folder is the image's /home/app, to look at.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildImageNatively, probeConnectors } from "./build-natively.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const workDir = await mkdtemp(path.join(os.tmpdir(), "coffee-edge-connector-image-"));
const interrupt = new AbortController();
for (const name of ["SIGINT", "SIGTERM"] as const) process.once(name, () => interrupt.abort());
const keep = process.argv.includes("--keep");
const started = Date.now();
try {
  const image = await buildImageNatively({ repoRoot, workDir, signal: interrupt.signal });
  for (const probe of await probeConnectors(image, path.join(workDir, "data"))) {
    console.log(`${probe.connector} (${probe.command.join(" ")}): /healthz ${probe.status} ${probe.body.trim()}`);
    console.log(`  stopped by SIGTERM with ${probe.exit}`);
  }
  console.log(`connector image built natively and started in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  if (keep) console.log(`kept ${workDir} (ship/ is the image's /home/app)`);
  else await rm(workDir, { recursive: true, force: true });
}
