import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { type Env, substituteEnv } from "./envsubst.js";
import { BuildContextError } from "./errors.js";

/** One entry of `functions:` in a faas-cli stack file, reduced to what a build needs. */
export interface StackFunction {
  readonly name: string;
  /** The template: `./template/<lang>/`. */
  readonly lang: string;
  /** The handler folder, relative to the directory faas-cli runs in. */
  readonly handler: string;
  readonly image?: string;
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
    throw new BuildContextError(`cannot read the stack file ${file}: ${(error as Error).message}`);
  }
  return parseStack(substituteEnv(text, env, file), file);
}

/** Parses and checks the (already substituted) text of a stack file. */
export function parseStack(text: string, source = "stack.yml"): Stack {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new BuildContextError(`${source}: invalid YAML: ${(error as Error).message}`);
  }
  const invalid = (path: string, expected: string, value: unknown) =>
    new BuildContextError(`${source}: ${path} must be ${expected} (found ${describe(value)})`);

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
      throw new BuildContextError(`${source}: ${at}: a function name can only contain a-z, 0-9 and dashes`);
    }
    if (!isMapping(spec)) throw invalid(at, "a mapping", spec);
    if (!isNonEmptyString(spec.lang)) throw invalid(`${at}.lang`, "a template name", spec.lang);
    if (!isNonEmptyString(spec.handler)) throw invalid(`${at}.handler`, "a folder path", spec.handler);
    if (spec.image !== undefined && !isNonEmptyString(spec.image)) {
      throw invalid(`${at}.image`, "an image name", spec.image);
    }
    if (spec.configuration !== undefined) {
      // faas-cli would silently ignore it, and the copy would silently not happen.
      throw new BuildContextError(
        `${source}: ${at}.configuration is not a faas-cli field: copy paths go in the top-level configuration.copy`,
      );
    }
    return { name, lang: spec.lang, handler: spec.handler, ...(spec.image === undefined ? {} : { image: spec.image }) };
  });

  return { functions, copy: readCopy(document.configuration, invalid) };
}

function readCopy(
  configuration: unknown,
  invalid: (path: string, expected: string, value: unknown) => BuildContextError,
): string[] {
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
