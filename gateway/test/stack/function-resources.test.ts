import { writeFile } from "node:fs/promises";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { generate } from "../../src/cli/generate.js";
import { functionResources } from "../../src/stack/function-resources.js";
import { parseStack } from "../../src/stack/stack.js";
import { makeTempDir, REPO_ROOT, removeTempDirs } from "../build-context/helpers.js";

afterEach(removeTempDirs);

const stackText = `
version: 1.0
provider:
  name: openfaas
functions:
  plain:
    lang: node18-typescript
    handler: ./plain
    image: example/plain:1
  full:
    lang: node18-typescript
    handler: ./full
    image: example/full:2
    fprocess: node other.js
    environment:
      A: "1"
    secrets: [s1]
    labels:
      com.openfaas.scale.max: "3"
    annotations:
      topic: a/b
    limits:
      memory: 128Mi
    requests:
      cpu: 50m
`;

function run(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  return generate(args, { stdout, stderr, env: { TAG: "9.9.9" } }).then((code) => ({ code, out, err }));
}

describe("functionResources (what faas-cli generate writes)", () => {
  it("makes one openfaas.com/v1 Function per function, with only what the stack sets, secrets always a list", () => {
    const [plain, full] = functionResources(parseStack(stackText), "openfaas-fn");
    expect(plain).toEqual({
      apiVersion: "openfaas.com/v1",
      kind: "Function",
      metadata: { name: "plain", namespace: "openfaas-fn" },
      spec: { name: "plain", image: "example/plain:1", secrets: [] },
    });
    expect(full?.spec).toEqual({
      name: "full",
      image: "example/full:2",
      labels: { "com.openfaas.scale.max": "3" },
      annotations: { topic: "a/b" },
      // faas-cli passes an fprocess override to the watchdog as this environment variable.
      environment: { A: "1", fprocess: "node other.js" },
      secrets: ["s1"],
      limits: { memory: "128Mi" },
      requests: { cpu: "50m" },
    });
  });

  it("refuses a function without an image, naming it", () => {
    const noImage = stackText.replace("    image: example/plain:1\n", "");
    expect(() => functionResources(parseStack(noImage), "openfaas-fn")).toThrow(/functions\.plain\.image/);
  });
});

describe("coffee-edge generate", () => {
  it("prints the repository's stack as Functions, with TAG substituted from its environment", async () => {
    const { code, out } = await run(["-f", path.join(REPO_ROOT, "stack.yml")]);
    expect(code).toBe(0);
    const documents = parseAllDocuments(out).map((document) => document.toJS() as { spec: { image: string } });
    expect(documents.length).toBeGreaterThanOrEqual(7);
    expect(documents.map((document) => document.spec.image)).toContain("coffee-edge/payment:9.9.9");
  });

  it("says what is wrong with a stack and exits 1; a bad flag exits 2", async () => {
    const dir = await makeTempDir();
    const file = path.join(dir, "stack.yml");
    await writeFile(file, "provider: {name: nope}\nfunctions: {}\n");
    const bad = await run(["-f", file]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("provider.name");
    expect((await run(["--bogus"])).code).toBe(2);
  });
});
