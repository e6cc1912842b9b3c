import { execFile } from "node:child_process";
import { access, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Writable } from "node:stream";
import { promisify } from "node:util";
import { runBuildStage } from "../../gateway/src/build-context/build-stage.js";
import {
  type Dockerfile,
  findStage,
  type Instruction,
  parseDockerfile,
} from "../../gateway/src/build-context/dockerfile.js";
import { BuildContextError } from "../../gateway/src/build-context/errors.js";
import { freePort } from "../../gateway/src/runtime/port.js";
import type { Env } from "../../gateway/src/stack/envsubst.js";
import { assembleContext } from "./context.js";
import { assembleFinalStage, type ShippedImage } from "./final-stage.js";
import { type ProbeResult, probeImageCommand } from "./probe-command.js";
import { checkHostProvides, systemPackageSteps } from "./system-packages.js";

/** The stage whose RUN steps are run natively, as for the template. */
export const BUILD_STAGE = "build";
export const CONNECTOR_DOCKERFILE = "connector/Dockerfile";
/** cron-connector is the same image with this command instead of the CMD (see connector/Dockerfile). */
export const CRON_CONNECTOR_COMMAND: readonly string[] = ["node", "bin/cron-connector.js"];

export interface NativeImageOptions {
  /** Where `docker build` runs: the build context before the ignore file applies (the repository root). */
  readonly repoRoot: string;
  /** Relative to `repoRoot`; connector/Dockerfile by default. */
  readonly dockerfile?: string;
  /** An empty folder for the work: context/, build/ (the build stage's /home/app), ship/ (the image's). */
  readonly workDir: string;
  /** The environment the build steps start from (PATH finds node, npm and the compiler); `process.env` by default. */
  readonly hostEnv?: Env;
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  /** Aborting kills the running step and rejects. */
  readonly signal?: AbortSignal;
}

export interface NativeImage extends ShippedImage {
  /** The context as `docker build` receives it. */
  readonly contextDir: string;
  /** Context paths the ignore file keeps out. */
  readonly ignored: readonly string[];
  /** The build stage's /home/app after its last step. */
  readonly buildDir: string;
  /** The PATH the steps ran with, on which the image's commands find `node`. */
  readonly searchPath: string;
}

/**
 * Builds an image of a Dockerfile whose context is the repository root, without Docker, so that its steps
 * cannot drift from what `docker build` does:
 * 1. the context is assembled as BuildKit sends it (`<Dockerfile>.dockerignore`, else the root `.dockerignore`);
 * 2. the `build` stage runs natively in an empty folder standing for its /home/app: each COPY performed in its
 *    turn, each RUN run with `/bin/sh -c` (a step that only `apk add`s is replaced by checking the host has the
 *    commands those packages give);
 * 3. the final stage is laid out from its COPYs, so a runtime file the image leaves out is missing here too.
 * The steps run with the host's Node and npm, which must be the image's Node major version.
 */
export async function buildImageNatively(options: NativeImageOptions): Promise<NativeImage> {
  const hostEnv = options.hostEnv ?? process.env;
  const output = { stdout: options.stdout ?? process.stdout, stderr: options.stderr ?? process.stderr };
  const dockerfilePath = path.resolve(options.repoRoot, options.dockerfile ?? CONNECTOR_DOCKERFILE);
  const dockerfile = parseDockerfile(await readFile(dockerfilePath, "utf8"), dockerfilePath);
  const build = findStage(dockerfile, BUILD_STAGE);
  if (build === undefined) {
    throw new BuildContextError(`${dockerfilePath} has no stage named "${BUILD_STAGE}" (FROM ... AS ${BUILD_STAGE})`);
  }
  const searchPath = hostEnv.PATH ?? "";
  await checkNodeVersion(dockerfile, searchPath);

  const contextDir = path.join(options.workDir, "context");
  const ignoreFile = await dockerignoreOf(dockerfilePath, options.repoRoot);
  const ignored = await assembleContext(options.repoRoot, ignoreFile, contextDir);
  output.stdout.write(`${path.relative(options.repoRoot, ignoreFile)}: not sent: ${ignored.join(", ")}\n`);

  const notes = new Map<Instruction, string>();
  for (const step of systemPackageSteps(build)) notes.set(step.instruction, await checkHostProvides(step, searchPath));

  const buildDir = path.join(options.workDir, "build");
  await mkdir(buildDir, { recursive: true });
  await runBuildStage(buildDir, build, {
    hostEnv,
    output,
    copyFrom: contextDir,
    skipRun: (instruction) => notes.get(instruction),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });

  const shipDir = path.join(options.workDir, "ship");
  await mkdir(shipDir, { recursive: true });
  const shipped = await assembleFinalStage(dockerfile, {
    contextDir,
    builtStages: new Map([[build, buildDir]]),
    shipDir,
    out: output.stdout,
  });
  return { ...shipped, contextDir, ignored, buildDir, searchPath };
}

/** BuildKit's rule: `<Dockerfile>.dockerignore` next to the Dockerfile wins over the context's `.dockerignore`. */
async function dockerignoreOf(dockerfilePath: string, contextDir: string): Promise<string> {
  const beside = `${dockerfilePath}.dockerignore`;
  return access(beside).then(
    () => beside,
    () => path.join(contextDir, ".dockerignore"),
  );
}

/**
 * The steps compile a native addon and the proof starts the result with the host's `node`: both only stand
 * for the image if it is the same major version as the `node:<major>` images the stages start from.
 */
async function checkNodeVersion(dockerfile: Dockerfile, searchPath: string): Promise<void> {
  const { stdout } = await promisify(execFile)("node", ["--version"], { env: { PATH: searchPath }, timeout: 10_000 });
  const host = /^v(\d+)\./.exec(stdout.trim())?.[1];
  for (const stage of dockerfile.stages) {
    const image = /^node:(\d+)\b/.exec(stage.image)?.[1];
    if (image !== undefined && image !== host) {
      throw new BuildContextError(
        `stage "${stage.name ?? stage.image}" runs Node ${image} (${stage.image}) but the node on PATH is ` +
          `${stdout.trim()}: the native build would not stand for the image`,
      );
    }
  }
}

export interface ConnectorProbe extends ProbeResult {
  readonly connector: "mqtt-connector" | "cron-connector";
  readonly command: readonly string[];
}

/**
 * Starts each connector from the natively built image, the mqtt-connector with the image's CMD and the
 * cron-connector with its documented command, against a gateway and a broker that refuse connections, and
 * returns what GET /healthz answered (503 with a reason is expected: the built files load and serve).
 */
export async function probeConnectors(image: NativeImage, dataDir: string): Promise<ConnectorProbe[]> {
  const probes: ConnectorProbe[] = [];
  const connectors = [
    ["mqtt-connector", image.cmd],
    ["cron-connector", CRON_CONNECTOR_COMMAND],
  ] as const;
  for (const [connector, command] of connectors) {
    const result = await probeImageCommand(image, command, {
      searchPath: image.searchPath,
      env: {
        port: String(await freePort()),
        // The image listens on 0.0.0.0 for probes from outside the container; natively, loopback is enough.
        host: "127.0.0.1",
        gateway_url: "http://127.0.0.1:1",
        broker_url: "mqtt://127.0.0.1:1",
        data_dir: path.join(dataDir, connector),
      },
    });
    probes.push({ connector, command, ...result });
  }
  return probes;
}
