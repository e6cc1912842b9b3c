// The native proof of broker/Dockerfile from a shell, with the build's output shown as it runs:
//   npx vite-node broker/image/prove.ts [--keep]
// (the same as the test: npx vitest run broker/test/image). Exits 0 when the image builds, the broker answers
// /healthz 200 and a user added with its CLI logs in, 1 otherwise. The work folder is removed, unless --keep: then
// its ship/ folder is the image's /home/app, to look at.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildImageNatively } from "../../connector/image/build-natively.js";
import { BROKER_DOCKERFILE, probeBroker } from "./probe-broker.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const workDir = await mkdtemp(path.join(os.tmpdir(), "coffee-edge-broker-image-"));
const interrupt = new AbortController();
for (const name of ["SIGINT", "SIGTERM"] as const) process.once(name, () => interrupt.abort());
const keep = process.argv.includes("--keep");
const started = Date.now();
try {
  const image = await buildImageNatively({
    repoRoot,
    dockerfile: BROKER_DOCKERFILE,
    workDir,
    signal: interrupt.signal,
  });
  const probe = await probeBroker(image, path.join(workDir, "data"));
  console.log(`edge-broker (${image.cmd.join(" ")}): /healthz ${probe.health.status} ${probe.health.body.trim()}`);
  console.log(`  user add: exit ${probe.userAdd.exit}; MQTT login as that user: ${probe.loggedIn}`);
  console.log(`  stopped by SIGTERM with ${probe.health.exit}; DATA_DIR holds ${probe.dataDirEntries.join(", ")}`);
  const ok =
    probe.health.status === 200 && probe.userAdd.exit === 0 && probe.loggedIn === true && probe.health.exit === 0;
  if (!ok) process.exitCode = 1;
  console.log(`broker image built natively and started in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  if (keep) console.log(`kept ${workDir} (ship/ is the image's /home/app)`);
  else await rm(workDir, { recursive: true, force: true });
}
