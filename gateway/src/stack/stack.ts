import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { type Env, substituteEnv } from "./envsubst.js";
import { StackError } from "./stack-error.js";

/** One entry of `functions:` in a faas-cli stack file, reduced to what a build needs. */
export interface StackFunction {
  readonly name: string;
  /** The template: `./template/<lang>/`. */
  readonly lang: string;
  /** The handler folder, relative to the directory faas-cli runs in. */
  readonly handler: string;
  readonly image?: string;
  /** What a deployment of the function carries (faas-cli sends these to the gateway on deploy). */
  readonly deployment: StackDeployment;
}

/** The deploy-time fields of a stack function; every value is a string, as faas-cli sends them. */
export interface StackDeployment {
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly limits?: ResourceList;
  readonly requests?: ResourceList;
  /** `fprocess` overrides the template's; the local runtime only runs the template's shell (see README). */
  readonly fprocess?: string;
}

export interface ResourceList {
  readonly memory?: string;
  readonly cpu?: string;
}

export interface Stack {
  readonly functions: readonly StackFunction[];
  /**
   * `configuration.copy`: extra paths copied into every function's build context (faas-cli
   * `StackConfiguration.CopyExtraPaths`). It is a top-level key of the stack file, not a per-function one.
   */
  readonly copy: readonly string[];
}

/** The rule `faas-cli new` applies to names; a name also becomes the folder `build/<name>/`. */
export const FUNCTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Reads a faas-cli stack file the way faas-cli does: environment substitution on the raw text first
 * (so `${TAG:-latest}` works anywhere, even in keys), then YAML, then the checks a build relies on.
 * Every error names the file, and the function and field at fault.
 */
export async function loadStack(file: string, env: Env = process.env): Promise<Stack> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new StackError(`cannot read the stack file ${file}: ${(error as Error).message}`);
  }
  return parseStack(substituteEnv(text, env, file), file);
}

/** Parses and checks the (already substituted) text of a stack file. */
export function parseStack(text: string, source = "stack.yml"): Stack {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new StackError(`${source}: invalid YAML: ${(error as Error).message}`);
  }
  const invalid = (path: string, expected: string, value: unknown) =>
    new StackError(`${source}: ${path} must be ${expected} (found ${describe(value)})`);

  if (!isMapping(document)) throw invalid("the document", "a mapping", document);
  const provider = document.provider;
  // faas-cli refuses any other provider; a typo here would otherwise go unnoticed until deploy.
  if (!isMapping(provider) || (provider.name !== "openfaas" && provider.name !== "faas")) {
    throw invalid("provider.name", '"openfaas"', isMapping(provider) ? provider.name : provider);
  }
  if (!isMapping(document.functions) || Object.keys(document.functions).length === 0) {
    throw invalid("functions", "a mapping with at least one function", document.functions);
  }

  const functions = Object.entries(document.functions).map(([name, spec]): StackFunction => {
    const at = `functions.${name}`;
    if (!FUNCTION_NAME.test(name)) {
      throw new StackError(`${source}: ${at}: a function name can only contain a-z, 0-9 and dashes`);
    }
    if (!isMapping(spec)) throw invalid(at, "a mapping", spec);
    if (!isNonEmptyString(spec.lang)) throw invalid(`${at}.lang`, "a template name", spec.lang);
    if (!isNonEmptyString(spec.handler)) throw invalid(`${at}.handler`, "a folder path", spec.handler);
    if (spec.image !== undefined && !isNonEmptyString(spec.image)) {
      throw invalid(`${at}.image`, "an image name", spec.image);
    }
    if (spec.configuration !== undefined) {
      // faas-cli would silently ignore it, and the copy would silently not happen.
      throw new StackError(
        `${source}: ${at}.configuration is not a faas-cli field: copy paths go in the top-level configuration.copy`,
      );
    }
    return {
      name,
      lang: spec.lang,
      handler: spec.handler,
      ...(spec.image === undefined ? {} : { image: spec.image }),
      deployment: readDeployment(spec, at, invalid),
    };
  });

  return { functions, copy: readCopy(document.configuration, invalid) };
}

type Invalid = (path: string, expected: string, value: unknown) => StackError;

function readDeployment(spec: Record<string, unknown>, at: string, invalid: Invalid): StackDeployment {
  if (spec.environment_file !== undefined) {
    throw new StackError(`${at}.environment_file is not supported here yet: move the variables into environment`);
  }
  const limits = readResources(spec.limits, `${at}.limits`, invalid);
  const requests = readResources(spec.requests, `${at}.requests`, invalid);
  return {
    environment: readStringMap(spec.environment, `${at}.environment`, invalid, true),
    secrets: readStringList(spec.secrets, `${at}.secrets`, invalid),
    labels: readStringMap(spec.labels, `${at}.labels`, invalid, false),
    annotations: readStringMap(spec.annotations, `${at}.annotations`, invalid, false),
    ...(limits ? { limits } : {}),
    ...(requests ? { requests } : {}),
    ...(isNonEmptyString(spec.fprocess) ? { fprocess: spec.fprocess } : {}),
  };
}

/**
 * A map of strings. faas-cli's Go YAML reads `PORT: 8080` in `environment` as the string "8080", so scalars
 * are accepted there; label and annotation values must already be strings, as Kubernetes requires.
 */
function readStringMap(value: unknown, path: string, invalid: Invalid, scalars: boolean): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) throw invalid(path, "a mapping", value);
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === "string") map[key] = entry;
    // `KEY: ${UNSET}` substitutes to nothing, which YAML reads as null and Go's YAML as "".
    else if (entry === null) map[key] = "";
    else if (scalars && (typeof entry === "number" || typeof entry === "boolean")) map[key] = String(entry);
    else
      throw invalid(`${path}.${key}`, scalars ? "a string, number or boolean" : 'a string (quote it: "true")', entry);
  }
  return map;
}

function readStringList(value: unknown, path: string, invalid: Invalid): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(path, "a list of names", value);
  value.forEach((entry, index) => {
    if (!isNonEmptyString(entry)) throw invalid(`${path}[${index}]`, "a name", entry);
  });
  return value as string[];
}

function readResources(value: unknown, path: string, invalid: Invalid): ResourceList | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isMapping(value)) throw invalid(path, "a mapping of memory and cpu", value);
  const list: { memory?: string; cpu?: string } = {};
  for (const key of ["memory", "cpu"] as const) {
    const entry = value[key];
    if (entry === undefined) continue;
    if (typeof entry !== "string" && typeof entry !== "number") throw invalid(`${path}.${key}`, "a quantity", entry);
    list[key] = String(entry);
  }
  return list;
}

function readCopy(configuration: unknown, invalid: Invalid): string[] {
  if (configuration === undefined || configuration === null) return [];
  if (!isMapping(configuration)) throw invalid("configuration", "a mapping", configuration);
  const copy = configuration.copy;
  if (copy === undefined || copy === null) return [];
  if (!Array.isArray(copy)) throw invalid("configuration.copy", "a list of paths", copy);
  copy.forEach((entry, index) => {
    if (!isNonEmptyString(entry)) throw invalid(`configuration.copy[${index}]`, "a path", entry);
  });
  return copy as string[];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}
