import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Handler } from "./types.js";

/**
 * Imports the handler of a function folder: the module its package.json `main` names (the template's sample
 * says `dist/handler.js`, what `npm run build` writes). Accepts `export default fn`, CommonJS
 * `module.exports = fn` (OpenFaaS node18 handlers), and TypeScript's CommonJS `exports.default = fn`.
 */
export async function loadHandler(functionDir: string): Promise<Handler> {
  const main = await readMain(functionDir);
  const file = resolve(functionDir, main);
  const loaded: unknown = await import(pathToFileURL(file).href);
  const handler = unwrapDefault(unwrapDefault(loaded));
  if (typeof handler !== "function") {
    throw new Error(
      `${file} does not export a handler: write "export default async (event, context) => result" in handler.ts`,
    );
  }
  return handler as Handler;
}

async function readMain(functionDir: string): Promise<string> {
  const manifest = join(functionDir, "package.json");
  let parsed: { main?: unknown };
  try {
    parsed = JSON.parse(await readFile(manifest, "utf8")) as { main?: unknown };
  } catch (error) {
    throw new Error(`cannot read ${manifest}: ${(error as Error).message}`);
  }
  return typeof parsed.main === "string" && parsed.main !== "" ? parsed.main : "dist/handler.js";
}

function unwrapDefault(module: unknown): unknown {
  if (typeof module === "object" && module !== null && "default" in module) {
    return (module as { default: unknown }).default;
  }
  return module;
}
