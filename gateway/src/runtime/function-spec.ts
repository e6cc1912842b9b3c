import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseDurationMs } from "@coffee-edge/node18-typescript/units";
import { finalStage, parseDockerfile, stageEnv } from "../build-context/dockerfile.js";
import { isReservedSecretName } from "../secrets/secret-name.js";
import type { ResourceList, StackDeployment, StackFunction } from "../stack/stack.js";
import { StackError } from "../stack/stack-error.js";
import { readScalePolicy, type ScalePolicy } from "./scale-policy.js";

/** OpenFaaS puts every function of the community edition in this namespace; so do we. */
export const NAMESPACE = "openfaas-fn" as const;

/** Everything the runtime needs to run and describe one function, resolved from stack.yml and its template. */
export interface FunctionSpec {
  readonly name: string;
  readonly image: string;
  /** The handler folder, absolute. */
  readonly handlerDir: string;
  /** What the image would run (`fprocess`), shown as `envProcess`. */
  readonly envProcess: string;
  /** The program and arguments that run the template's shell here: this Node, the template's entry file. */
  readonly command: { readonly file: string; readonly args: readonly string[] };
  /** The template image's ENV (watchdog and Node settings), under the function's own environment. */
  readonly imageEnv: Readonly<Record<string, string>>;
  /** stack.yml `environment` (and later updates through PUT /system/functions). */
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly limits?: ResourceList;
  readonly requests?: ResourceList;
  readonly scale: ScalePolicy;
  /** `exec_timeout` as the watchdog reads it; 0 disables it. */
  readonly execTimeoutMs: number;
  /** `max_inflight` per replica as the watchdog enforces it; 0 = unlimited. */
  readonly maxInflight: number;
  readonly createdAt: Date;
}

export interface SpecOptions {
  /** The folder the stack file is in: handler and template paths are relative to it. */
  readonly stackDir: string;
  readonly downWindowDefaultMs: number;
  readonly warn?: (message: string) => void;
  readonly now?: Date;
}

/**
 * Resolves a stack function against its template: `template/<lang>/Dockerfile`'s final stage gives the ENV the
 * image would have and the `fprocess` it would run. Only Node templates can run here, as this Node runs them.
 */
export async function resolveFunctionSpec(fn: StackFunction, options: SpecOptions): Promise<FunctionSpec> {
  const templateDir = path.resolve(options.stackDir, "template", fn.lang);
  const dockerfile = path.join(templateDir, "Dockerfile");
  let text: string;
  try {
    text = await readFile(dockerfile, "utf8");
  } catch {
    throw new StackError(`functions.${fn.name}: template "${fn.lang}" not found (expected ${dockerfile})`);
  }
  const imageEnv = stageEnv(finalStage(parseDockerfile(text, dockerfile)));
  const envProcess = fn.deployment.fprocess ?? imageEnv.fprocess ?? imageEnv.function_process ?? "";
  return buildSpec(fn, { ...options, templateDir, imageEnv, envProcess });
}

interface ResolvedTemplate extends SpecOptions {
  readonly templateDir: string;
  readonly imageEnv: Readonly<Record<string, string>>;
  readonly envProcess: string;
}

/** The pure part: a stack function plus its template's facts, and later updates of the same function. */
export function buildSpec(fn: StackFunction, template: ResolvedTemplate): FunctionSpec {
  const base = {
    name: fn.name,
    image: fn.image ?? fn.name,
    handlerDir: path.resolve(template.stackDir, fn.handler),
    envProcess: template.envProcess,
    command: nodeCommand(template.envProcess, template.templateDir, `functions.${fn.name}`),
    imageEnv: template.imageEnv,
    createdAt: template.now ?? new Date(),
  };
  return withDeployment(base, fn.deployment, template);
}

type SpecBase = Pick<
  FunctionSpec,
  "name" | "image" | "handlerDir" | "envProcess" | "command" | "imageEnv" | "createdAt"
>;

/**
 * The spec with new deploy-time fields (stack.yml, or an update through PUT /system/functions): the settings the
 * watchdog and the autoscaler read from them are parsed again. A bad value names the function and field.
 */
export function withDeployment(
  base: SpecBase,
  deployment: StackDeployment,
  options: Pick<SpecOptions, "downWindowDefaultMs" | "warn">,
): FunctionSpec {
  const env = { ...base.imageEnv, ...deployment.environment };
  const at = `functions.${base.name}`;
  const execTimeoutMs = parseDurationMs(env.exec_timeout ?? "10s");
  if (execTimeoutMs === undefined) {
    throw new StackError(
      `${at}.environment.exec_timeout: expected a duration such as "10s", got "${env.exec_timeout}"`,
    );
  }
  const reserved = deployment.secrets.find((name) => isReservedSecretName(name));
  if (reserved) throw new StackError(`${at}.secrets: "${reserved}" is the gateway's own secret, not a function's`);
  const maxInflightText = (env.max_inflight ?? "0").trim();
  if (!/^\d+$/.test(maxInflightText)) {
    throw new StackError(`${at}.environment.max_inflight: expected a whole number, got "${env.max_inflight}"`);
  }
  return {
    name: base.name,
    image: base.image,
    handlerDir: base.handlerDir,
    envProcess: base.envProcess,
    command: base.command,
    imageEnv: base.imageEnv,
    createdAt: base.createdAt,
    environment: deployment.environment,
    secrets: deployment.secrets,
    labels: deployment.labels,
    annotations: deployment.annotations,
    ...(deployment.limits ? { limits: deployment.limits } : {}),
    ...(deployment.requests ? { requests: deployment.requests } : {}),
    scale: readScalePolicy(deployment.labels, options.downWindowDefaultMs, (message) =>
      options.warn?.(`${base.name}: ${message}`),
    ),
    execTimeoutMs,
    maxInflight: Number(maxInflightText),
  };
}

/** `node dist/main.js` → this Node, with the script resolved in the template (the image's /home/app). */
function nodeCommand(fprocess: string, templateDir: string, at: string): FunctionSpec["command"] {
  // of-watchdog splits fprocess on single spaces, without quoting; so do we.
  const [program, ...args] = fprocess.split(" ").filter((word) => word !== "");
  if (program !== "node") {
    throw new StackError(
      `${at}: the local runtime runs Node templates only (fprocess "${fprocess}"); deploy this one to OpenFaaS`,
    );
  }
  const script = args.findIndex((arg) => !arg.startsWith("-"));
  return {
    file: process.execPath,
    args: args.map((arg, index) => (index === script ? path.resolve(templateDir, arg) : arg)),
  };
}
