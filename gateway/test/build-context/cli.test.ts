// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are stack-file and Dockerfile text, where ${...} is literal
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/build-context/cli.js";
import { captured, makeTempDir, removeTempDirs, writeTree } from "./helpers.js";

afterEach(removeTempDirs);

// A template whose build stage is plain shell, so the whole CLI runs in milliseconds.
const DOCKERFILE = `FROM node:18-alpine AS build
WORKDIR /home/app
COPY package.json ./
COPY function ./function
RUN mkdir -p dist && cp function/handler.js dist/main.js
FROM node:18-alpine AS ship
WORKDIR /home/app
COPY --from=build /home/app/dist ./dist
COPY --from=build /home/app/function ./function
ENV fprocess="node dist/main.js" mode="http" upstream_url="http://127.0.0.1:3000"
`;

let project: string;

beforeEach(async () => {
  project = await makeTempDir("cli-");
  await writeTree(project, {
    "template/fast/template.yml": "language: fast\nfprocess: node dist/main.js\n",
    "template/fast/Dockerfile": DOCKERFILE,
    "template/fast/package.json": "{}\n",
    "fn/handler.js": "export default () => 1;\n",
    "common/shared.js": "export const shared = 1;\n",
    "stack.yml": [
      "provider:",
      "  name: openfaas",
      "configuration:",
      "  copy: [common]",
      "functions:",
      "  hello:",
      "    lang: fast",
      "    handler: ./fn",
      "    image: ${REGISTRY:-local}/hello",
      "",
    ].join("\n"),
  });
});

async function run(...argv: string[]) {
  const stdout = captured();
  const stderr = captured();
  const code = await main(argv, { cwd: project, env: { PATH: process.env.PATH }, stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("build:context CLI", () => {
  it("builds a function of stack.yml into build/<name>/ and says how to start it", async () => {
    const { code, stdout, stderr } = await run("hello");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toBe("hello shrink-wrapped to ./build/hello");
    expect(lines.at(-2)).toBe("hello built natively in ./build/hello; start it with:");
    expect(lines.at(-1)).toBe(
      "  cd ./build/hello && fprocess='node dist/main.js' mode=http upstream_url=http://127.0.0.1:3000 http_port=3000 node dist/main.js",
    );
    const out = path.join(project, "build/hello");
    expect(await readFile(path.join(out, "dist/main.js"), "utf8")).toContain("export default");
    expect(await readFile(path.join(out, "function/common/shared.js"), "utf8")).toContain("shared");
  });

  it("builds any handler folder with --name/--handler/--lang into --out", async () => {
    const out = path.join(await makeTempDir("cli-out-"), "ctx");
    const { code, stdout } = await run("--name", "other", "--handler", "fn", "--lang", "fast", "--out", out);
    expect(code).toBe(0);
    expect(stdout).toContain(`other shrink-wrapped to ${out}`);
    await expect(stat(path.join(out, "dist/main.js"))).resolves.toBeTruthy();
  });

  it("fails before building when template.yml's fprocess differs from the Dockerfile's", async () => {
    await writeTree(project, { "template/fast/template.yml": "language: fast\nfprocess: node index.js\n" });
    const { code, stderr } = await run("hello");
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /template\.yml has fprocess "node index\.js" but the Dockerfile's ENV fprocess is "node dist\/main\.js"/,
    );
    await expect(stat(path.join(project, "build/hello/dist"))).rejects.toThrow(/ENOENT/);
  });

  it("reports a missing template as a build error", async () => {
    const { code, stderr } = await run("--name", "x", "--handler", "fn", "--lang", "nope");
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot read the language template .*template\/nope\/template\.yml/);
  });

  it("prints the usage for --help", async () => {
    const { code, stdout } = await run("--help");
    expect(code).toBe(0);
    expect(stdout).toContain("Usage:");
  });

  const usageErrors: [name: string, argv: string[], message: RegExp][] = [
    ["no arguments", [], /name one function of the stack file/],
    ["two functions", ["a", "b"], /name one function of the stack file/],
    ["--name without --handler", ["--name", "x"], /--name and --handler go together/],
    ["a bad --name", ["--name", "../x", "--handler", "fn"], /a function name can only contain/],
    ["an unknown option", ["hello", "--verbose"], /Unknown option '--verbose'/],
    ["--lang without --name", ["hello", "--lang", "x"], /--lang goes with --name and --handler/],
    ["--stack with --handler", ["--name", "x", "--handler", "fn", "--stack", "s.yml"], /--stack cannot be combined/],
    ["an empty --out", ["hello", "--out", ""], /--out needs a value/],
    ["a function the stack does not have", ["nope"], /no function "nope" in .*stack\.yml \(it has: hello\)/],
  ];
  for (const [name, argv, message] of usageErrors) {
    it(`exits 2 with the usage for ${name}`, async () => {
      const { code, stderr } = await run(...argv);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).toContain("Usage:");
    });
  }
});
