// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are stack-file and Dockerfile text, where ${...} is literal
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { substituteEnv } from "../../src/stack/envsubst.js";
import { loadStack, parseStack } from "../../src/stack/stack.js";
import { makeTempDir, REPO_ROOT, removeTempDirs } from "../build-context/helpers.js";

afterEach(removeTempDirs);

describe("substituteEnv (faas-cli's drone/envsubst subset)", () => {
  const env = { REGISTRY: "ghcr.io/acme", EMPTY: "", TAG: "1.2.3" };
  const cases: [name: string, input: string, expected: string][] = [
    ["${VAR} set", "image: ${REGISTRY}/echo", "image: ghcr.io/acme/echo"],
    ["${VAR} unset reads as empty", "image: ${MISSING}/echo", "image: /echo"],
    ["${VAR:-default} set", "${TAG:-latest}", "1.2.3"],
    ["${VAR:-default} unset", "${NOPE:-latest}", "latest"],
    ["${VAR:-default} empty", "${EMPTY:-latest}", "latest"],
    ["${VAR:=default} unset", "${NOPE:=x}", "x"],
    ["nested default", "${NOPE:-${REGISTRY}}/echo", "ghcr.io/acme/echo"],
    ["$$ is a literal $", "cost: $${TAG}", "cost: ${TAG}"],
    ["bare $VAR is not expanded", "x: $TAG", "x: $TAG"],
    ["several on one line", "${REGISTRY}/echo:${TAG:-latest}", "ghcr.io/acme/echo:1.2.3"],
    ["a dash belongs to the name, as in drone", "${TAG-x}", ""],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expect(substituteEnv(input, env)).toBe(expected));
  }

  it("refuses an unsupported operator, naming the line", () => {
    expect(() => substituteEnv("a: 1\nb: ${TAG:?required}\n", env, "stack.yml")).toThrow(
      /stack\.yml:2: unsupported substitution "\$\{TAG:\?required\}"/,
    );
  });

  it("refuses an unterminated default", () => {
    expect(() => substituteEnv("b: ${TAG:-x", env, "stack.yml")).toThrow(/stack\.yml:1: .*closing \}/);
  });

  it("refuses ${} without a name", () => {
    expect(() => substituteEnv("b: ${}", env)).toThrow(/variable name/);
  });
});

const VALID = `
version: 1.0
provider:
  name: openfaas
  gateway: http://127.0.0.1:8080
configuration:
  copy:
    - ./common
functions:
  echo:
    lang: node18-typescript
    handler: ./echo
    image: \${REGISTRY:-coffee-edge}/echo:\${TAG:-latest}
  receipt:
    lang: node18-typescript
    handler: ./functions/receipt
`;

const EMPTY = { environment: {}, secrets: [], labels: {}, annotations: {} };

describe("loadStack", () => {
  it("substitutes the environment before parsing and returns typed functions", async () => {
    const dir = await makeTempDir();
    const file = path.join(dir, "stack.yml");
    await writeFile(file, VALID);
    const stack = await loadStack(file, { TAG: "7" });
    expect(stack.functions).toEqual([
      { name: "echo", lang: "node18-typescript", handler: "./echo", image: "coffee-edge/echo:7", deployment: EMPTY },
      { name: "receipt", lang: "node18-typescript", handler: "./functions/receipt", deployment: EMPTY },
    ]);
    expect(stack.copy).toEqual(["./common"]);
  });

  it("reads the repository's stack.yml", async () => {
    const stack = await loadStack(path.join(REPO_ROOT, "stack.yml"), {});
    const echo = stack.functions.find((fn) => fn.name === "echo");
    expect(echo).toMatchObject({ lang: "node18-typescript", image: "coffee-edge/echo:latest" });
    const payment = stack.functions.find((fn) => fn.name === "payment");
    expect(payment?.deployment.secrets).toEqual(["jwt-secret", "payment-api-key"]);
    expect(payment?.deployment.labels["com.openfaas.scale.zero"]).toBe("true");
    expect(payment?.deployment.limits).toEqual({ memory: "192Mi", cpu: "500m" });
  });

  it("reads the deploy-time fields as faas-cli sends them: strings, unset variables as empty", () => {
    const stack = parseStack(
      [
        "provider: {name: openfaas}",
        "functions:",
        "  fridge:",
        "    lang: node18-typescript",
        "    handler: ./fridge",
        "    environment: {PORT: 8080, RAW_BODY: true, HOOK: }",
        "    secrets: [jwt-secret]",
        '    labels: {com.openfaas.scale.min: "1"}',
        '    annotations: {topic: "store/+/fridge/+/temp"}',
        "    requests: {memory: 64Mi}",
      ].join("\n"),
    );
    expect(stack.functions[0]?.deployment).toEqual({
      environment: { PORT: "8080", RAW_BODY: "true", HOOK: "" },
      secrets: ["jwt-secret"],
      labels: { "com.openfaas.scale.min": "1" },
      annotations: { topic: "store/+/fridge/+/temp" },
      requests: { memory: "64Mi" },
    });
  });

  it("names the file when it cannot be read", async () => {
    await expect(loadStack("/nonexistent/stack.yml", {})).rejects.toThrow(/\/nonexistent\/stack\.yml/);
  });
});

describe("parseStack validation", () => {
  const base = (functions: string, extra = "") => `provider:\n  name: openfaas\n${extra}functions:\n${functions}`;
  const cases: [name: string, text: string, message: RegExp][] = [
    [
      "a label that is not a string",
      base(
        "  echo:\n    lang: node18-typescript\n    handler: ./echo\n    labels:\n      com.openfaas.scale.zero: true\n",
      ),
      /functions\.echo\.labels\.com\.openfaas\.scale\.zero must be a string \(quote it/,
    ],
    [
      "secrets not a list",
      base("  echo:\n    lang: node18-typescript\n    handler: ./echo\n    secrets: jwt-secret\n"),
      /functions\.echo\.secrets must be a list of names/,
    ],
    [
      "missing lang",
      base("  echo:\n    handler: ./echo\n"),
      /functions\.echo\.lang must be a template name \(found nothing\)/,
    ],
    ["lang not a string", base("  echo:\n    lang: 3\n    handler: ./echo\n"), /functions\.echo\.lang .*number 3/],
    [
      "missing handler",
      base("  echo:\n    lang: node18-typescript\n"),
      /functions\.echo\.handler must be a folder path/,
    ],
    [
      "image not a string",
      base("  echo:\n    lang: x\n    handler: ./echo\n    image: [a]\n"),
      /functions\.echo\.image must be an image name \(found a list\)/,
    ],
    [
      "per-function configuration",
      base("  echo:\n    lang: x\n    handler: ./echo\n    configuration:\n      copy: [a]\n"),
      /functions\.echo\.configuration is not a faas-cli field/,
    ],
    [
      "copy not a list",
      base("  echo:\n    lang: x\n    handler: ./e\n", "configuration:\n  copy: ./common\n"),
      /configuration\.copy must be a list/,
    ],
    [
      "copy entry not a string",
      base("  echo:\n    lang: x\n    handler: ./e\n", "configuration:\n  copy: [1]\n"),
      /configuration\.copy\[0\] must be a path/,
    ],
    [
      "bad function name",
      base("  Echo_1:\n    lang: x\n    handler: ./e\n"),
      /functions\.Echo_1: a function name can only contain/,
    ],
    [
      "no functions",
      "provider:\n  name: openfaas\nfunctions: {}\n",
      /functions must be a mapping with at least one function/,
    ],
    [
      "wrong provider",
      "provider:\n  name: lambda\nfunctions:\n  a:\n    lang: x\n    handler: y\n",
      /provider\.name must be "openfaas"/,
    ],
    ["not YAML", "functions: [\n", /stack\.yml: invalid YAML/],
    [
      "duplicate function",
      base("  a:\n    lang: x\n    handler: y\n  a:\n    lang: x\n    handler: y\n"),
      /invalid YAML.*[Uu]nique/,
    ],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => expect(() => parseStack(text, "stack.yml")).toThrow(message));
  }
});
