import { access, readdir, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImageNatively, type NativeImage } from "../../../connector/image/build-natively.js";
import { shellEnv } from "../../../connector/image/shell-env.js";
import { parseDockerfile } from "../../../gateway/src/build-context/dockerfile.js";
import { captured, makeTempDir, REPO_ROOT, removeTempDirs } from "../../../gateway/test/build-context/helpers.js";
import { BROKER_DOCKERFILE, type BrokerProbe, probeBroker } from "../../image/probe-broker.js";

// The proof of broker/Dockerfile without Docker, with the connector image's machinery: its build stage run
// natively from the Dockerfile itself (a real `npm ci` against the registry, better-sqlite3 compiled from source,
// classic-level's prebuilt LevelDB, tsc), the image's /home/app laid out from the final stage's COPYs, then
// edge-broker started from it with the host's Node 20 and its user CLI run beside it.
const BUILD_TIMEOUT_MS = 240_000;

const dockerfile = parseDockerfile(await readFile(path.join(REPO_ROOT, BROKER_DOCKERFILE), "utf8"));
const output = captured();
let image: NativeImage;
let probe: BrokerProbe;

beforeAll(async () => {
  const workDir = await makeTempDir("broker-image-");
  try {
    image = await buildImageNatively({
      repoRoot: REPO_ROOT,
      dockerfile: BROKER_DOCKERFILE,
      workDir,
      hostEnv: shellEnv(),
      stdout: output,
      stderr: output,
    });
    probe = await probeBroker(image, path.join(workDir, "data"));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- build output (end) ---\n${output.text().slice(-6000)}`);
  }
}, BUILD_TIMEOUT_MS);

afterAll(removeTempDirs);

describe("broker/Dockerfile, built natively", () => {
  it("runs every RUN step of the build stage, read from the Dockerfile", () => {
    const build = dockerfile.stages.find((stage) => stage.name === "build");
    const runs = build?.instructions.filter((instruction) => instruction.kind === "RUN") ?? [];
    expect(runs.length).toBeGreaterThanOrEqual(4);
    for (const run of runs) expect(output.text()).toContain(`] ${run.text}`);
    expect(output.text()).toContain("RUN apk add --no-cache python3 make g++  (system packages: the host's");
  });

  it("sends a small context: no node_modules, dist, .git, connector, gateway or the broker's tests", async () => {
    for (const left of [".git", "node_modules", "broker/dist", "broker/test", "connector", "functions", "gateway"]) {
      expect(image.ignored).toContain(left);
    }
    const leftovers = (await readdir(image.contextDir, { recursive: true })).filter((entry) =>
      /(^|\/)(node_modules|dist)(\/|$)|\.tsbuildinfo$/.test(entry),
    );
    expect(leftovers).toEqual([]);
    const broker = await readdir(path.join(image.contextDir, "broker"));
    expect(broker).toEqual(expect.arrayContaining(["bin", "package.json", "src", "tsconfig.json"]));
    expect(broker).not.toContain("test");
    // Of broker/image, only the workspace's manifest and lock: the proof's own sources stay out.
    expect(await readdir(path.join(image.contextDir, "broker/image"), { recursive: true })).toEqual(
      expect.arrayContaining(["workspace", "workspace/package.json", "workspace/package-lock.json"]),
    );
    expect(await readdir(path.join(image.contextDir, "broker/image"), { recursive: true })).toHaveLength(3);
  });

  it("ships only runtime files: production dependencies, the template's kit, the broker's bin and dist", async () => {
    expect((await readdir(image.dir)).sort()).toEqual(["bin", "dist", "node_modules", "package.json", "template"]);
    const modules = await readdir(path.join(image.dir, "node_modules"));
    const runtime = ["aedes", "aedes-persistence-level", "level", "classic-level", "better-sqlite3", "mqtt", "ws"];
    expect(modules).toEqual(expect.arrayContaining([...runtime, "prom-client"]));
    for (const devOnly of ["typescript", "vitest", "@types/ws"]) expect(modules).not.toContain(devOnly);
    expect(await readdir(path.join(image.dir, "node_modules/better-sqlite3/build/Release"))).toEqual([
      "better_sqlite3.node",
    ]);
    // Only this architecture's LevelDB addons are kept (on alpine linux-x64, node-gyp-build picks the musl one).
    expect(await readdir(path.join(image.dir, "node_modules/classic-level/prebuilds"))).toEqual([
      `linux-${process.arch}`,
    ]);
    expect(await realpath(path.join(image.dir, "node_modules/@coffee-edge/node18-typescript"))).toBe(
      path.join(await realpath(image.dir), "template/node18-typescript"),
    );
    await expect(access(path.join(image.dir, "node_modules/@coffee-edge/broker"))).rejects.toThrow();
  });

  it("runs as app in /home/app, listening on every interface, with its data in /home/app/data", () => {
    expect(image.user).toBe("app");
    expect(image.cwd).toBe(image.dir);
    expect(image.env).toEqual({
      NODE_ENV: "production",
      DATA_DIR: "/home/app/data",
      BROKER_HOST: "0.0.0.0",
      HEALTH_HOST: "0.0.0.0",
    });
    expect(image.exposed).toEqual(["1883", "8883", "8083", "8084"]);
    expect(image.cmd).toEqual(["node", "bin/edge-broker.js"]);
    expect(image.healthcheck).toMatchObject({
      form: "shell",
      command: expect.stringMatching(/http:\/\/127\.0\.0\.1:\$\{HEALTH_PORT:-8084\}\/healthz/),
    });
  });

  it("starts edge-broker from the built files: /healthz answers 200, and it stops cleanly on SIGTERM", () => {
    expect(probe.health, probe.health.output).toMatchObject({ status: 200, body: "OK", exit: 0 });
    expect(probe.health.output).toContain('"component":"edge-broker"');
  });

  it("adds a user with the image's CLI, who then logs in to the running broker", () => {
    expect(probe.userAdd, probe.userAdd.stderr).toMatchObject({ exit: 0 });
    expect(probe.userAdd.stdout).toContain("added dashboard probe to ");
    expect(probe.loggedIn).toBe(true);
    // LevelDB persistence opened (classic-level's addon loaded) and the users file written, both in DATA_DIR.
    expect(probe.dataDirEntries).toEqual(expect.arrayContaining(["persistence", "users.json"]));
  });
});
