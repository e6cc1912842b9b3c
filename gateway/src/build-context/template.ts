import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { BuildContextError } from "./errors.js";

/** The keys of a template's `template.yml` that a build uses (faas-cli `LanguageTemplate`). */
export interface LanguageTemplate {
  readonly language: string;
  /** Sent as `envProcess` by `faas-cli deploy`, so it overrides the image's `ENV fprocess` at run time. */
  readonly fprocess: string;
  readonly welcomeMessage?: string;
  /** Where the handler is overlaid inside the build context; faas-cli's default is `function`. */
  readonly handlerFolder: string;
}

/** Reads `<templateDir>/template.yml`; faas-cli refuses to build a language without one. */
export async function loadLanguageTemplate(templateDir: string): Promise<LanguageTemplate> {
  const file = path.join(templateDir, "template.yml");
  let document: unknown;
  try {
    document = parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new BuildContextError(`cannot read the language template ${file}: ${(error as Error).message}`);
  }
  if (typeof document !== "object" || document === null) {
    throw new BuildContextError(`${file}: expected a mapping`);
  }
  const { language, fprocess, welcome_message, handler_folder } = document as Record<string, unknown>;
  const text = (key: string, value: unknown): string => {
    if (typeof value !== "string" || value.trim() === "") {
      throw new BuildContextError(`${file}: ${key} must be a non-empty string`);
    }
    return value;
  };
  return {
    language: text("language", language),
    fprocess: text("fprocess", fprocess),
    ...(welcome_message === undefined ? {} : { welcomeMessage: text("welcome_message", welcome_message) }),
    handlerFolder: handler_folder === undefined ? "function" : text("handler_folder", handler_folder),
  };
}
