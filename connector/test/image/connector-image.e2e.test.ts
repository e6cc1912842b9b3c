import { access, readdir, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDockerfile } from "../../../gateway/src/build-context/dockerfile.js";
import { captured, makeTempDir, REPO_ROOT, removeTempDirs } from "../../../gateway/test/build-context/helpers.js";
import {
  buildImageNatively,
  CONNECTOR_DOCKERFILE,
  type ConnectorProbe,
  type NativeImage,
  probeConnectors,
} from "../../image/build-natively.js";

// The proof of connector/Dockerfile without Docker: its build stage run natively from the Dockerfile itself
// (a real `npm ci` against the registry, better-sqlite3 compiled from source, tsc), the image's /home/app laid
// out from the final stage's COPYs, then both connectors started from it with the host's Node 20.
const BUILD_TIMEOUT_MS = 240_000;

/** A developer shell's environment: none of vitest's or npm's own variables. */
function shellEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(VITEST|npm_|NODE_ENV$|TEST$|INIT_CWD$)/.test(name)),
  );
}

const dockerfile = parseDockerfile(await readFile(path.join(REPO_ROOT, CONNECTOR_DOCKERFILE), "utf8"));
const output = captured();
let image: NativeImage;
let probes: ConnectorProbe[];

beforeAll(async () => {
  const workDir = await makeTempDir("connector-image-");
  try {
    image = await buildImageNatively({
      repoRoot: REPO_ROOT,
      workDir,
      hostEnv: shellEnv(),
      stdout: output,
      stderr: output,
    });
    probes = await probeConnectors(image, path.join(workDir, "data"));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- build output (end) ---\n${output.text().slice(-6000)}`);
  }
}, BUILD_TIMEOUT_MS);

afterAll(removeTempDirs);

describe("connector/Dockerfile, built natively", () => {
  it("runs every RUN step of the build stage, read from the Dockerfile", () => {
    const build = dockerfile.stages.find((stage) => stage.name === "build");
    const runs = build?.instructions.filter((instruction) => instruction.kind === "RUN") ?? [];
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const run of runs) expect(output.text()).toContain(`] ${run.text}`);
    expect(output.text()).toContain("RUN apk add --no-cache python3 make g++  (system packages: the host's");
  });

  it("sends a small context: no node_modules, dist, .git, functions, bench or gateway", async () => {
    for (const left of [".git", "node_modules", "connector/dist", "functions", "bench", "gateway", "tools"]) {
      expect(image.ignored).toContain(left);
    }
    const leftovers = (await readdir(image.contextDir, { recursive: true })).filter((entry) =>
      /(^|\/)(node_modules|dist)(\/|$)|\.tsbuildinfo$/.test(entry),
    );
    expect(leftovers).toEqual([]);
  });

  it("ships only runtime files: production dependencies, the template's kit, the connector's bin and dist", async () => {
    expect((await readdir(image.dir)).sort()).toEqual(["bin", "dist", "node_modules", "package.json", "template"]);
    expect((await readdir(path.join(image.dir, "template/node18-typescript"))).sort()).toEqual([
      "dist",
      "package.json",
    ]);
    const modules = await readdir(path.join(image.dir, "node_modules"));
    expect(modules).toEqual(expect.arrayContaining(["better-sqlite3", "mqtt", "croner", "prom-client", "undici"]));
    for (const devOnly of ["typescript", "aedes", "vitest"]) expect(modules).not.toContain(devOnly);
    // The addon was compiled, and only it is kept of better-sqlite3's build.
    expect(await readdir(path.join(image.dir, "node_modules/better-sqlite3/build/Release"))).toEqual([
      "better_sqlite3.node",
    ]);
    // The template is reached through npm's workspace link, which must resolve inside the image.
    expect(await realpath(path.join(image.dir, "node_modules/@coffee-edge/node18-typescript"))).toBe(
      path.join(await realpath(image.dir), "template/node18-typescript"),
    );
    await expect(access(path.join(image.dir, "node_modules/@coffee-edge/connector"))).rejects.toThrow();
  });

  it("runs as a non-root user in /home/app, in production mode, with a health check", () => {
    expect(image.user).toBe("app");
    expect(image.cwd).toBe(image.dir);
    expect(image.env).toMatchObject({ NODE_ENV: "production", port: "8081", data_dir: "/home/app/data" });
    expect(image.exposed).toEqual(["8081"]);
    expect(image.cmd).toEqual(["node", "bin/mqtt-connector.js"]);
    expect(image.healthcheck).toMatchObject({ form: "shell", command: expect.stringContaining("/healthz") });
  });

  it.each(["mqtt-connector", "cron-connector"])("starts %s from the built files; /healthz answers", (connector) => {
    const probe = probes.find((candidate) => candidate.connector === connector);
    // 503: no gateway (127.0.0.1:1 refuses), so the function list is unread; the process loaded and serves.
    expect(probe, output.text().slice(-3000)).toMatchObject({
      status: 503,
      body: "the function list has not been read yet\n",
      exit: 0,
    });
    expect(probe?.output).toContain(`"component":"${connector}"`);
  });
});
