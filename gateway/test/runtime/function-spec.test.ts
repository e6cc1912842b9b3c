import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildSpec, resolveFunctionSpec, withDeployment } from "../../src/runtime/function-spec.js";
import type { StackFunction } from "../../src/stack/stack.js";
import { REPO_ROOT } from "../edge/support.js";

const fn = (deployment: Partial<StackFunction["deployment"]> = {}): StackFunction => ({
  name: "fridge",
  lang: "node18-typescript",
  handler: "./functions/fridge",
  image: "coffee-edge/fridge:1",
  deployment: { environment: {}, secrets: [], labels: {}, annotations: {}, ...deployment },
});

const template = {
  stackDir: "/stack",
  templateDir: "/stack/template/node18-typescript",
  imageEnv: { fprocess: "node dist/main.js", exec_timeout: "10s", write_timeout: "15s" },
  envProcess: "node dist/main.js",
  downWindowDefaultMs: 30_000,
};

describe("function specs", () => {
  it("resolve the repository's template: its image ENV, its fprocess run by this Node", async () => {
    const spec = await resolveFunctionSpec(fn(), { stackDir: REPO_ROOT, downWindowDefaultMs: 30_000 });
    expect(spec.envProcess).toBe("node dist/main.js");
    expect(spec.imageEnv).toMatchObject({ mode: "http", exec_timeout: "10s", prefix_logs: "false" });
    expect(spec.command).toEqual({
      file: process.execPath,
      args: [path.join(REPO_ROOT, "template", "node18-typescript", "dist", "main.js")],
    });
    expect(spec.handlerDir).toBe(path.join(REPO_ROOT, "functions", "fridge"));
    expect(spec.execTimeoutMs).toBe(10_000);
    expect(spec.maxInflight).toBe(0);
  });

  it("name the template folder when the lang has none", async () => {
    await expect(
      resolveFunctionSpec({ ...fn(), lang: "go" }, { stackDir: REPO_ROOT, downWindowDefaultMs: 0 }),
    ).rejects.toThrow(/functions\.fridge: template "go" not found/);
  });

  it("take exec_timeout and max_inflight from the function's environment over the image's", () => {
    const spec = buildSpec(fn({ environment: { exec_timeout: "2m", max_inflight: "3" } }), template);
    expect(spec.execTimeoutMs).toBe(120_000);
    expect(spec.maxInflight).toBe(3);
    expect(buildSpec(fn({ environment: { exec_timeout: "0" } }), template).execTimeoutMs).toBe(0);
  });

  it("refuse values the watchdog could not read, naming the field", () => {
    expect(() => buildSpec(fn({ environment: { exec_timeout: "later" } }), template)).toThrow(
      /functions\.fridge\.environment\.exec_timeout/,
    );
    expect(() => buildSpec(fn({ environment: { max_inflight: "-1" } }), template)).toThrow(
      /functions\.fridge\.environment\.max_inflight/,
    );
    expect(() => buildSpec(fn({ secrets: ["basic-auth-password"] }), template)).toThrow(/gateway's own secret/);
  });

  it("refuse a template whose fprocess is not Node", () => {
    expect(() => buildSpec(fn(), { ...template, envProcess: "./handler" })).toThrow(/runs Node templates only/);
  });

  it("keep what the template fixed when a deployment changes", () => {
    const spec = buildSpec(fn(), template);
    const updated = withDeployment(
      spec,
      { environment: { A: "1" }, secrets: [], labels: { "com.openfaas.scale.max": "2" }, annotations: {} },
      template,
    );
    expect(updated).toMatchObject({
      name: "fridge",
      image: "coffee-edge/fridge:1",
      command: spec.command,
      environment: { A: "1" },
    });
    expect(updated.scale.max).toBe(2);
    expect(updated.createdAt).toBe(spec.createdAt);
  });
});
