import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { loadGatewayConfig } from "../../src/config.js";
import { type Edge, startEdge } from "../../src/edge/start-edge.js";

export const PROBE_DIR = fileURLToPath(new URL("./fixtures/probe/", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PROBE = PROBE_DIR;

export interface FixtureFunction {
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly environment?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly secrets?: string[];
  /** The handler folder; the probe fixture by default. */
  readonly handler?: string;
}

/**
 * A stack folder for the gateway's tests: the repository's template (linked, so it is the real shell) and the
 * probe handler under each function name.
 */
export async function makeStackDir(functions: readonly FixtureFunction[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "edge-test-"));
  await mkdir(path.join(dir, "template"));
  await symlink(path.join(REPO_ROOT, "template", "node18-typescript"), path.join(dir, "template", "node18-typescript"));
  const lines = ["version: 1.0", "provider:", "  name: openfaas", "functions:"];
  for (const fn of functions) {
    lines.push(
      `  ${fn.name}:`,
      "    lang: node18-typescript",
      `    handler: ${fn.handler ?? PROBE}`,
      `    image: test/${fn.name}:latest`,
    );
    for (const [key, map] of [
      ["labels", fn.labels],
      ["environment", fn.environment],
      ["annotations", fn.annotations],
    ] as const) {
      if (!map) continue;
      lines.push(`    ${key}:`);
      for (const [name, value] of Object.entries(map)) lines.push(`      ${name}: ${JSON.stringify(value)}`);
    }
    if (fn.secrets) lines.push(`    secrets: [${fn.secrets.join(", ")}]`);
  }
  await writeFile(path.join(dir, "stack.yml"), `${lines.join("\n")}\n`);
  return dir;
}

export interface TestEdge {
  readonly edge: Edge;
  readonly url: string;
  readonly dir: string;
  readonly dataDir: string;
  /** `Authorization` for /system/*. */
  readonly auth: string;
  /** Everything printed so far: gateway lines and function output. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the edge stack in this process on a free port, with fast scaling ticks. */
export async function startTestEdge(
  functions: readonly FixtureFunction[],
  env: Record<string, string> = {},
): Promise<TestEdge> {
  const dir = await makeStackDir(functions);
  const dataDir = path.join(dir, "data");
  const fullEnv = { GATEWAY_PORT: "0", DATA_DIR: dataDir, ...env };
  const out = new PassThrough();
  let text = "";
  out.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  const edge = await startEdge({
    config: loadGatewayConfig(fullEnv, dir),
    stackFile: path.join(dir, "stack.yml"),
    env: { ...process.env, ...fullEnv },
    out,
    tickMs: 100,
  });
  const password = await readFile(path.join(dataDir, "secrets", "basic-auth-password"), "utf8");
  return {
    edge,
    url: edge.url,
    dir,
    dataDir,
    auth: `Basic ${Buffer.from(`admin:${password.trim()}`).toString("base64")}`,
    output: () => text,
    async stop() {
      await edge.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 50 ms until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The status object of one function, as /system/function/{name} gives it. */
export async function functionStatus(edge: TestEdge, name: string): Promise<Record<string, unknown>> {
  const answer = await fetch(`${edge.url}/system/function/${name}`, { headers: { authorization: edge.auth } });
  return (await answer.json()) as Record<string, unknown>;
}
