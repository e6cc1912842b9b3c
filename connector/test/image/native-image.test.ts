import { mkdir, readdir, readFile, rm, symlink } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../../gateway/src/runtime/port.js";
import { captured, makeTempDir, removeTempDirs, writeTree } from "../../../gateway/test/build-context/helpers.js";
import { buildImageNatively } from "../../image/build-natively.js";
import { probeImageCommand } from "../../image/probe-command.js";

afterEach(removeTempDirs);

// A small repository shaped like ours (the Dockerfile in a sub-folder, the context at the root), with plain
// shell steps instead of npm, so the proof's parts are exercised in milliseconds. Its server stands for a
// connector: /healthz answers 503 with a reason taken from the image's ENV.
const DOCKERFILE = `FROM --platform=\${TARGETPLATFORM:-linux/amd64} node:20-alpine AS build
WORKDIR /home/app
RUN apk add --no-cache make
COPY app/package.json ./
COPY app/src src/
RUN mkdir -p dist && cp src/server.js dist/server.js && ls -A > dist/seen.txt

FROM node:20-alpine AS ship
RUN adduser -S app
WORKDIR /home/app
COPY --from=build /home/app/package.json ./
COPY --from=build /home/app/dist ./dist
ENV NODE_ENV=production reason="not ready"
EXPOSE 8081
USER app
CMD ["node", "dist/server.js"]
`;

const SERVER = `import { createServer } from "node:http";
const server = createServer((req, res) => {
  res.writeHead(req.url === "/healthz" ? 503 : 404).end(\`\${process.env.reason} \${process.env.NODE_ENV} \${process.env.HOME ?? "no HOME"}\`);
});
server.listen(Number(process.env.port), "127.0.0.1");
process.once("SIGTERM", () => server.close(() => process.exit(0)));
`;

async function makeRepo(files: Record<string, string> = {}): Promise<{ repoRoot: string; workDir: string }> {
  const root = await makeTempDir("image-");
  const repoRoot = path.join(root, "repo");
  await writeTree(repoRoot, {
    "app/Dockerfile": DOCKERFILE,
    "app/Dockerfile.dockerignore": "node_modules\n*/node_modules\nsecret.txt\n",
    // BuildKit prefers the ignore file beside the Dockerfile: this one, which would hide app/, must not apply.
    ".dockerignore": "app\n",
    "app/package.json": '{ "type": "module" }\n',
    "app/src/server.js": SERVER,
    "app/node_modules/junk.js": "junk\n",
    "node_modules/junk.js": "junk\n",
    "secret.txt": "never in the context\n",
    ...files,
  });
  const workDir = path.join(root, "work");
  await mkdir(workDir);
  return { repoRoot, workDir };
}

function build(repo: { repoRoot: string; workDir: string }, hostEnv: NodeJS.ProcessEnv = process.env) {
  const stdout = captured();
  const result = buildImageNatively({ ...repo, dockerfile: "app/Dockerfile", hostEnv, stdout, stderr: captured() });
  return { result, stdout };
}

/** A PATH holding nothing but `node`, to stand for a host without a compiler. */
async function pathWithOnlyNode(): Promise<string> {
  const bin = await makeTempDir("bin-");
  await symlink(process.execPath, path.join(bin, "node"));
  return bin;
}

describe("buildImageNatively", () => {
  it("sends the context as BuildKit would, runs the build stage, and ships only what the final stage copies", async () => {
    const repo = await makeRepo();
    const { result, stdout } = build(repo);
    const image = await result;

    expect(image.ignored).toEqual(["app/node_modules", "node_modules", "secret.txt"]);
    expect((await readdir(image.contextDir)).sort()).toEqual([".dockerignore", "app"]);
    // The build stage started empty: its step saw only what the COPYs before it brought.
    expect(await readFile(path.join(image.buildDir, "dist/seen.txt"), "utf8")).toBe("dist\npackage.json\nsrc\n");
    expect((await readdir(image.dir)).sort()).toEqual(["dist", "package.json"]);
    expect(image.cwd).toBe(image.dir);
    expect(image).toMatchObject({
      user: "app",
      cmd: ["node", "dist/server.js"],
      exposed: ["8081"],
      env: { NODE_ENV: "production", reason: "not ready" },
      baseImage: "node:20-alpine",
    });
    expect(stdout.text()).toContain("[build 3/6] RUN apk add --no-cache make  (system packages: the host's make found");
    expect(stdout.text()).toContain("[ship 2/9] RUN adduser -S app  (operating-system setup");
  });

  it("starts the image's command with the image's ENV only, and stops it", async () => {
    const repo = await makeRepo();
    const image = await build(repo).result;
    const probe = await probeImageCommand(image, image.cmd, {
      searchPath: image.searchPath,
      env: { port: String(await freePort()) },
    });
    expect(probe).toMatchObject({ status: 503, body: "not ready production no HOME", exit: 0 });
  });

  it("refuses a host whose node is not the image's major version", async () => {
    const repo = await makeRepo({ "app/Dockerfile": DOCKERFILE.replace("node:20-alpine AS ship", "node:18-alpine") });
    await expect(build(repo).result).rejects.toThrow(/runs Node 18 \(node:18-alpine\) but the node on PATH is v20\./);
  });

  it("refuses a host without what the build stage's apk add installs, before any step runs", async () => {
    const repo = await makeRepo();
    const { result } = build(repo, { PATH: await pathWithOnlyNode() });
    await expect(result).rejects.toThrow(/RUN apk add --no-cache make: the host has no make on PATH/);
    expect(await readdir(repo.workDir)).toEqual(["context"]);
  });

  it("refuses an apk step it cannot check: an unknown package, or apk chained with other commands", async () => {
    const unknown = await makeRepo({ "app/Dockerfile": DOCKERFILE.replace("add --no-cache make", "add curl") });
    await expect(build(unknown).result).rejects.toThrow(/which host command stands for the alpine package "curl"/);
    const chained = await makeRepo({ "app/Dockerfile": DOCKERFILE.replace("add --no-cache make", "add make && ls") });
    await expect(build(chained).result).rejects.toThrow(/keep "apk add" a step of its own/);
  });

  it("fails when the final stage copies something the build stage did not make", async () => {
    const repo = await makeRepo({
      "app/Dockerfile": DOCKERFILE.replace("COPY --from=build /home/app/dist", "COPY --from=build /home/app/lib"),
    });
    await expect(build(repo).result).rejects.toThrow(/\/home\/app\/lib matches nothing in that stage/);
  });

  it("uses the context's .dockerignore when there is none beside the Dockerfile", async () => {
    const repo = await makeRepo();
    await rm(path.join(repo.repoRoot, "app/Dockerfile.dockerignore"));
    await expect(buildImageNatively({ ...repo, dockerfile: "app/Dockerfile", stdout: captured() })).rejects.toThrow(
      /COPY app\/package.json \.\/: app\/package.json matches nothing in the context/,
    );
  });
});

describe("probeImageCommand", () => {
  it("reports a command that ends before /healthz answers, with its output", async () => {
    const repo = await makeRepo();
    const image = await build(repo).result;
    const probe = probeImageCommand(image, ["node", "-e", "console.error('bad config'); process.exit(1)"], {
      searchPath: image.searchPath,
      env: { port: "1" },
    });
    await expect(probe).rejects.toThrow(/ended \(1\) before \/healthz answered:\nbad config/);
  });

  it("stops a command that never answers once the wait is over", async () => {
    const repo = await makeRepo();
    const image = await build(repo).result;
    const pidFile = path.join(repo.workDir, "pid");
    const probe = probeImageCommand(
      image,
      [
        "node",
        "-e",
        `require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`,
      ],
      { searchPath: image.searchPath, env: { port: "1" }, timeoutMs: 500 },
    );
    await expect(probe).rejects.toThrow(/did not answer in time/);
    const pid = Number(await readFile(pidFile, "utf8"));
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
