import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type Dockerfile,
  findStage,
  parseDockerfile,
  type Stage,
  stageEnv,
} from "../../src/build-context/dockerfile.js";
import { loadLanguageTemplate } from "../../src/build-context/template.js";
import { TEMPLATE_DIR } from "./helpers.js";

// The real template/node18-typescript files, read through the same parser the native build uses.
async function templateDockerfile(): Promise<Dockerfile> {
  const file = path.join(TEMPLATE_DIR, "Dockerfile");
  return parseDockerfile(await readFile(file, "utf8"), file);
}

async function templateStage(name: string): Promise<Stage> {
  const stage = findStage(await templateDockerfile(), name);
  if (stage === undefined) throw new Error(`the template's Dockerfile has no stage ${name}`);
  return stage;
}

describe("template/node18-typescript/Dockerfile", () => {
  it("has the stages watchdog, build and ship, shipping from the last one", async () => {
    const dockerfile = await templateDockerfile();
    expect(dockerfile.stages.map((stage) => stage.name)).toEqual(["watchdog", "build", "ship"]);
  });

  it("pins the of-watchdog image to an exact version", async () => {
    const watchdog = await templateStage("watchdog");
    expect(watchdog.image).toMatch(/^ghcr\.io\/openfaas\/of-watchdog:\d+\.\d+\.\d+$/);
  });

  it("keeps the of-watchdog contract in the shipped image's ENV", async () => {
    const env = stageEnv(await templateStage("ship"));
    expect(env).toMatchObject({ mode: "http", upstream_url: "http://127.0.0.1:3000", prefix_logs: "false" });
    for (const timeout of ["exec_timeout", "read_timeout", "write_timeout"]) {
      expect(env[timeout], timeout).toMatch(/^\d+(ms|s|m|h)?$/);
    }
    expect(env.fprocess).toBeTruthy();
  });

  it("runs as a non-root user", async () => {
    const ship = await templateStage("ship");
    const users = ship.instructions.filter((instruction) => instruction.kind === "USER");
    const last = users[users.length - 1];
    expect(last?.kind === "USER" && last.user.split(":")[0]).toMatch(/^(?!root$|0$).+/);
  });

  it("health-checks the watchdog's /tmp/.lock", async () => {
    const ship = await templateStage("ship");
    const healthcheck = ship.instructions.find((instruction) => instruction.kind === "HEALTHCHECK");
    expect(healthcheck?.kind === "HEALTHCHECK" && healthcheck.command).toMatchObject({
      form: "shell",
      command: expect.stringContaining("/tmp/.lock"),
    });
  });

  it("runs the handler's tests in the build stage", async () => {
    const build = await templateStage("build");
    const runs = build.instructions.flatMap((instruction) =>
      instruction.kind === "RUN" && instruction.command.form === "shell" ? [instruction.command.command] : [],
    );
    expect(runs).toContain("npm test");
  });
});

describe("template/node18-typescript/template.yml", () => {
  it("names the language and has a welcome message", async () => {
    const template = await loadLanguageTemplate(TEMPLATE_DIR);
    expect(template.language).toBe("node18-typescript");
    expect(template.welcomeMessage?.trim()).toBeTruthy();
  });

  it("has the Dockerfile's ENV fprocess (faas-cli deploy sends template.yml's)", async () => {
    const template = await loadLanguageTemplate(TEMPLATE_DIR);
    expect(template.fprocess).toBe(stageEnv(await templateStage("ship")).fprocess);
  });
});
