import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningFunction, runNativeBuild, startBuiltFunction } from "../../src/build-context/native-build.js";
import { captured, freePort, makeTempDir, removeTempDirs, writeTree } from "./helpers.js";

afterEach(removeTempDirs);

// A context shaped like the template's, with a build stage of plain shell steps (no npm, so it is fast).
const DOCKERFILE = `FROM busybox AS tools
FROM node:18-alpine AS build
ARG GREETING=hello
ENV STAGE_VAR="from env"
WORKDIR /home/app
COPY package.json ./
RUN echo "$GREETING $STAGE_VAR" > greeting.txt && pwd > where-root.txt
COPY lib ./lib
WORKDIR /home/app/lib
RUN pwd > ../where-lib.txt && ls -A .. > ../seen.txt
RUN mkdir -p ../dist && cp a.js ../dist/main.js

FROM node:18-alpine AS ship
COPY --from=tools /bin/true /usr/bin/true
RUN adduser -S app
WORKDIR /home/app
COPY --from=build /home/app/package.json ./package.json
COPY --from=build /home/app/dist ./dist
USER app
ENV fprocess="node dist/main.js" mode="http"
`;

async function makeContext(files: Record<string, string> = {}): Promise<string> {
  const ctx = path.join(await makeTempDir("native-"), "ctx");
  await writeTree(ctx, {
    Dockerfile: DOCKERFILE,
    ".dockerignore": "# dev leftovers\nnode_modules\n*/node_modules\n",
    "package.json": "{}\n",
    "lib/a.js": "export {};\n",
    "lib/node_modules/junk.js": "junk\n",
    "node_modules/junk.js": "junk\n",
    "stale.tsbuildinfo": "no COPY brings me\n",
    ...files,
  });
  return ctx;
}

function build(ctx: string, hostEnv: Record<string, string | undefined> = process.env) {
  const stdout = captured();
  const stderr = captured();
  return { stdout, stderr, result: runNativeBuild(ctx, { hostEnv, stdout, stderr }) };
}

const read = (ctx: string, file: string) => readFile(path.join(ctx, file), "utf8");

/** Whether a process is alive: a killed orphan may linger as a zombie until init reaps it, which counts as gone. */
async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return !/\) Z /.test(stat);
}

describe("runNativeBuild", () => {
  it("runs the build stage's RUN steps in order, in the folder each WORKDIR maps to, with ARG and ENV", async () => {
    const ctx = await makeContext();
    const { result, stdout } = build(ctx);
    await expect(result).resolves.toEqual({
      env: { fprocess: "node dist/main.js", mode: "http" },
      fprocess: "node dist/main.js",
    });
    expect(await read(ctx, "greeting.txt")).toBe("hello from env\n");
    expect((await read(ctx, "where-root.txt")).trim()).toBe(ctx);
    expect((await read(ctx, "where-lib.txt")).trim()).toBe(path.join(ctx, "lib"));
    expect(await read(ctx, "dist/main.js")).toBe("export {};\n");
    expect(stdout.text()).toContain("[build 8/10] WORKDIR /home/app/lib");
    expect(stdout.text()).toContain("COPY --from=build /home/app/dist ./dist  (checked: built and in place)");
  });

  it("applies .dockerignore before the build", async () => {
    const ctx = await makeContext();
    const { result, stdout } = build(ctx);
    await result;
    await expect(stat(path.join(ctx, "node_modules"))).rejects.toThrow(/ENOENT/);
    await expect(stat(path.join(ctx, "lib/node_modules"))).rejects.toThrow(/ENOENT/);
    expect(stdout.text()).toContain(".dockerignore: not part of the context: lib/node_modules, node_modules");
  });

  it("hides what no build-stage COPY brings while the steps run, and puts it back afterwards", async () => {
    const ctx = await makeContext();
    await build(ctx).result;
    const seen = (await read(ctx, "seen.txt")).split("\n").filter(Boolean);
    expect(seen).not.toContain("stale.tsbuildinfo");
    expect(seen).not.toContain("Dockerfile");
    expect(seen).toEqual(expect.arrayContaining(["package.json", "lib", "greeting.txt"]));
    expect(await read(ctx, "stale.tsbuildinfo")).toBe("no COPY brings me\n");
    expect(await read(ctx, "Dockerfile")).toBe(DOCKERFILE);
    const siblings = await readdir(path.dirname(ctx));
    expect(siblings).toEqual(["ctx"]);
  });

  it("gives RUN steps the host environment without npm's own variables and NODE_ENV", async () => {
    const ctx = await makeContext({ Dockerfile: DOCKERFILE.replace("ls -A .. > ../seen.txt", "env > ../env.txt") });
    const hostEnv = { ...process.env, npm_config_local_prefix: "/elsewhere", NODE_ENV: "production", KEEP_ME: "yes" };
    await build(ctx, hostEnv).result;
    const env = await read(ctx, "env.txt");
    expect(env).toContain("KEEP_ME=yes");
    expect(env).toContain("STAGE_VAR=from env");
    expect(env).not.toContain("npm_config_local_prefix");
    expect(env).not.toContain("NODE_ENV");
  });

  it("fails with the step's text and exit code, and still restores the context", async () => {
    const ctx = await makeContext({
      Dockerfile: DOCKERFILE.replace("RUN mkdir -p ../dist", "RUN echo broken >&2 && exit 3\nRUN mkdir -p ../dist"),
    });
    const { result, stderr } = build(ctx);
    await expect(result).rejects.toThrow(
      'build step failed: "RUN echo broken >&2 && exit 3" (Dockerfile line 11) exited with code 3',
    );
    expect(stderr.text()).toContain("broken");
    expect(await read(ctx, "stale.tsbuildinfo")).toBe("no COPY brings me\n");
  });

  it("stops the running step when aborted, and still restores the context", async () => {
    const ctx = await makeContext({
      Dockerfile: DOCKERFILE.replace(
        "RUN mkdir -p ../dist",
        () => "RUN sh -c 'echo $$ > ../step.pid; exec sleep 30'\nRUN mkdir -p ../dist",
      ),
    });
    const interrupt = new AbortController();
    const stdout = captured();
    const started = Date.now();
    const result = runNativeBuild(ctx, { stdout, stderr: captured(), signal: interrupt.signal });
    setTimeout(() => interrupt.abort(), 300);
    await expect(result).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stdout.text()).toContain("exec sleep 30");
    // The whole step is stopped, not only its /bin/sh: the grandchild that ran `sleep` is gone too.
    expect(await isRunning(Number(await read(ctx, "step.pid")))).toBe(false);
    expect(await read(ctx, "stale.tsbuildinfo")).toBe("no COPY brings me\n");
    expect(await readdir(path.dirname(ctx))).toEqual(["ctx"]);
  });

  const refusals: [name: string, from: string, to: string, message: RegExp][] = [
    [
      "a WORKDIR outside /home/app",
      "WORKDIR /home/app/lib",
      "WORKDIR /srv",
      /WORKDIR \/srv: \/srv is outside \/home\/app/,
    ],
    [
      "a COPY that moves files",
      "COPY lib ./lib",
      "COPY lib ./src",
      /puts lib at \/home\/app\/src, not at \/home\/app\/lib/,
    ],
    [
      "a COPY whose glob matches nothing",
      "COPY package.json ./",
      "COPY package*.lock ./",
      /package\*\.lock matches nothing in the context/,
    ],
    [
      "a COPY of an ignored path",
      "COPY package.json ./",
      "COPY node_modules ./node_modules",
      /node_modules matches nothing .*\.dockerignore/,
    ],
    [
      "COPY --from in the build stage",
      "COPY lib ./lib",
      "COPY --from=tools /bin /bin",
      /COPY --from in the build stage is not supported/,
    ],
    ["RUN flags", "RUN mkdir", "RUN --mount=type=cache,target=/x mkdir", /RUN flags .* are not supported natively/],
  ];
  for (const [name, from, to, message] of refusals) {
    it(`refuses ${name} before any step runs`, async () => {
      const ctx = await makeContext({ Dockerfile: DOCKERFILE.replace(from, to) });
      await expect(build(ctx).result).rejects.toThrow(message);
      await expect(stat(path.join(ctx, "greeting.txt"))).rejects.toThrow(/ENOENT/);
    });
  }

  it("checks that the final stage's COPY --from=build sources exist after the build", async () => {
    const ctx = await makeContext({
      Dockerfile: DOCKERFILE.replace("/home/app/dist ./dist", "/home/app/lib/dist ./lib/dist"),
    });
    await expect(build(ctx).result).rejects.toThrow(/\/home\/app\/lib\/dist does not exist after the build/);
  });

  it("requires the final stage to run in /home/app", async () => {
    const ctx = await makeContext({ Dockerfile: `${DOCKERFILE}WORKDIR /home/app/dist\n` });
    await expect(build(ctx).result).rejects.toThrow(/final stage's WORKDIR is \/home\/app\/dist/);
  });

  it("requires a stage named build and an fprocess", async () => {
    const noBuild = await makeContext({ Dockerfile: "FROM a AS compile\nFROM b\nENV fprocess=x\n" });
    await expect(build(noBuild).result).rejects.toThrow(/no stage named "build"/);
    const noFprocess = await makeContext({
      Dockerfile: DOCKERFILE.replace('ENV fprocess="node dist/main.js" ', "ENV "),
    });
    await expect(build(noFprocess).result).rejects.toThrow(/sets no ENV fprocess/);
  });
});

describe("startBuiltFunction", () => {
  let running: RunningFunction | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  const SERVER = `import { createServer } from "node:http";
createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ cwd: process.cwd(), mode: process.env.mode, port: process.env.http_port }));
}).listen(Number(process.env.http_port), "127.0.0.1");
`;

  it("starts fprocess in the context with the Dockerfile ENV and http_port, once the port accepts", async () => {
    const ctx = await makeTempDir("start-");
    await writeTree(ctx, { "server.mjs": SERVER });
    const port = await freePort();
    running = await startBuiltFunction(ctx, { fprocess: "node server.mjs", mode: "http" }, { port, timeoutMs: 10_000 });
    const response = await fetch(running.url, { signal: AbortSignal.timeout(5000) });
    expect(await response.json()).toEqual({ cwd: ctx, mode: "http", port: String(port) });
    await running.stop();
    expect(running.child.exitCode !== null || running.child.signalCode !== null).toBe(true);
  });

  it("rejects when the process exits before listening", async () => {
    const ctx = await makeTempDir("start-");
    const stderr = captured();
    await expect(
      startBuiltFunction(
        ctx,
        { fprocess: "node -e process.exit(3)" },
        { port: await freePort(), timeoutMs: 10_000, stderr },
      ),
    ).rejects.toThrow(/"node -e process\.exit\(3\)" exited with code 3 before listening/);
  });

  it("kills the process and rejects when it never listens within the bound", async () => {
    const ctx = await makeTempDir("start-");
    await writeTree(ctx, { "idle.mjs": "setInterval(() => {}, 1000);\n" });
    const started = Date.now();
    await expect(
      startBuiltFunction(ctx, { fprocess: "node idle.mjs" }, { port: await freePort(), timeoutMs: 500 }),
    ).rejects.toThrow(/did not listen on port \d+ within 500 ms/);
    expect(Date.now() - started).toBeLessThan(8000);
  });
});
