#!/usr/bin/env node
// Writes the lock of a minimal npm workspace an image installs (its package.json names the template and the
// package the image ships), derived from the monorepo's package-lock.json, so the image gets the versions the
// tests ran with. Run it from anywhere after a dependency of the workspace's members changes (`npm ci` in the
// image refuses a lock out of step):
//   node connector/image/derive-lock.mjs                          connector/image/workspace/ (connector/Dockerfile)
//   node connector/image/derive-lock.mjs broker/image/workspace   any other image's workspace, relative to the cwd
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WORKSPACE =
  process.argv[2] === undefined
    ? fileURLToPath(new URL("./workspace/", import.meta.url))
    : path.resolve(process.argv[2]);

const manifest = JSON.parse(await readFile(path.join(WORKSPACE, "package.json"), "utf8"));
const dir = await mkdtemp(path.join(os.tmpdir(), "coffee-edge-image-lock-"));
try {
  await copyFile(path.join(WORKSPACE, "package.json"), path.join(dir, "package.json"));
  // Seeded with the monorepo's lock, npm keeps every version locked there and drops what this workspace lacks.
  await copyFile(path.join(REPO_ROOT, "package-lock.json"), path.join(dir, "package-lock.json"));
  for (const member of manifest.workspaces) {
    await mkdir(path.join(dir, member), { recursive: true });
    await copyFile(path.join(REPO_ROOT, member, "package.json"), path.join(dir, member, "package.json"));
  }
  // Not the variables of an `npm run` this may be started from: the nested npm would read them as its config.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("npm_")));
  await promisify(execFile)("npm", ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: dir,
    env,
    timeout: 120_000,
  });
  await copyFile(path.join(dir, "package-lock.json"), path.join(WORKSPACE, "package-lock.json"));
  console.log(
    `wrote ${path.relative(process.cwd(), path.join(WORKSPACE, "package-lock.json")) || "package-lock.json"}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
