import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { filterProblem } from "../../connector/src/core/topic-filter.js";
import { isScheduleProblem, parseSchedule } from "../../connector/src/cron/schedule.js";
import { secretsScriptPlan } from "./support/secrets-dry-run.js";

// What faas-cli deploys and the connectors read, checked on the raw stack.yml (before ${VAR} substitution).
// The checker runs on the real stack (no problems) and on fixtures/bad-stack.yml (each rule caught), so a
// checker that stopped checking would fail here. Documented environment variables: test/readme.test.ts.

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

interface StackFunction {
  lang?: unknown;
  handler?: unknown;
  image?: unknown;
  secrets?: unknown;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}
type Stack = { functions: Record<string, StackFunction> };

const readStack = (path: string) => parse(readFileSync(path, "utf8")) as Stack;

/** A Go duration as OpenFaaS parses one (time.ParseDuration), e.g. "15m", "1h30m", "90s". */
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

function scaleLabelProblem(label: string, value: string): string | undefined {
  switch (label) {
    case "com.openfaas.scale.min":
    case "com.openfaas.scale.max":
      return /^[1-9]\d*$/.test(value) ? undefined : "must be a whole number of at least 1";
    case "com.openfaas.scale.factor":
      return /^\d+$/.test(value) && Number(value) <= 100 ? undefined : "must be 0..100";
    case "com.openfaas.scale.zero":
      return value === "true" || value === "false" ? undefined : 'must be "true" or "false"';
    case "com.openfaas.scale.zero-duration":
    case "com.openfaas.scale.down.window":
      return GO_DURATION.test(value) ? undefined : "must be a duration such as 15m";
    default:
      return undefined;
  }
}

/** Every rule broken by `stack`, one line each, naming the function. */
function stackProblems(stack: Stack, createdSecrets: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const [name, fn] of Object.entries(stack.functions)) {
    for (const field of ["lang", "handler", "image"] as const) {
      if (typeof fn[field] !== "string" || fn[field] === "") problems.push(`${name}: no ${field}`);
    }
    for (const [kind, map] of [
      ["label", fn.labels],
      ["annotation", fn.annotations],
    ] as const) {
      for (const [key, value] of Object.entries(map ?? {})) {
        if (typeof value !== "string") {
          problems.push(`${name}: ${kind} ${key} is not a string`);
          continue;
        }
        const problem = kind === "label" ? scaleLabelProblem(key, value) : undefined;
        if (problem) problems.push(`${name}: ${key} ${problem}`);
      }
    }
    const topic = fn.annotations?.topic;
    const topics = typeof topic === "string" ? topic.split(",").map((t) => t.trim()) : [];
    for (const filter of topics) {
      const problem = filterProblem(filter);
      if (problem) problems.push(`${name}: topic ${filter}: ${problem}`);
    }
    const schedule = fn.annotations?.schedule;
    if (typeof schedule === "string") {
      const parsed = parseSchedule(schedule);
      if (isScheduleProblem(parsed)) problems.push(`${name}: schedule ${schedule}: ${parsed.problem}`);
      if (!topics.includes("cron-function")) problems.push(`${name}: a schedule without cron-function in topic`);
    } else if (topics.includes("cron-function")) {
      problems.push(`${name}: cron-function without a schedule`);
    }
    for (const secret of Array.isArray(fn.secrets) ? fn.secrets : []) {
      if (!createdSecrets.has(String(secret)))
        problems.push(`${name}: secret ${secret} is not made by deploy/secrets.sh`);
    }
  }
  return problems;
}

/** The function secrets deploy/secrets.sh would create for the stack at `stackFile`. */
const secretsScriptCreates = (stackFile: string) => secretsScriptPlan(["--stack", stackFile]).functionSecrets;

describe("stack.yml for OpenFaaS on K3s", () => {
  const stackFile = join(root, "stack.yml");

  it("has lang, handler and image everywhere, string labels and annotations, valid scale labels, topics and schedules, and only secrets the script makes", () => {
    const stack = readStack(stackFile);
    expect(Object.keys(stack.functions).length).toBeGreaterThanOrEqual(6);
    expect(stackProblems(stack, secretsScriptCreates(stackFile))).toEqual([]);
  });

  it("has the secrets script create every secret a function names", () => {
    const named = Object.values(readStack(stackFile).functions).flatMap((fn) =>
      Array.isArray(fn.secrets) ? fn.secrets : [],
    );
    expect(named).toEqual(expect.arrayContaining(["jwt-secret", "payment-api-key"]));
    const created = secretsScriptCreates(stackFile);
    for (const name of named) expect(created.has(String(name)), name).toBe(true);
  });

  it("catches each broken rule in fixtures/bad-stack.yml", () => {
    const badFile = join(here, "fixtures", "bad-stack.yml");
    const problems = stackProblems(readStack(badFile), new Set(["jwt-secret"]));
    expect(problems).toEqual(
      expect.arrayContaining([
        "no-image: no image",
        "no-image: label com.openfaas.scale.min is not a string",
        "no-image: com.openfaas.scale.max must be a whole number of at least 1",
        'no-image: com.openfaas.scale.zero must be "true" or "false"',
        "no-image: com.openfaas.scale.zero-duration must be a duration such as 15m",
        "bad-topics: secret not-made-by-the-script is not made by deploy/secrets.sh",
      ]),
    );
    expect(problems.filter((p) => p.startsWith("bad-topics: topic "))).toHaveLength(2);
    expect(problems.some((p) => p.startsWith("bad-topics: schedule 61 * * * *:"))).toBe(true);
    // The script reads the fixture's own secrets, so the stack-driven list is what it creates.
    expect(secretsScriptCreates(badFile)).toEqual(new Set(["not-made-by-the-script"]));
  });
});
