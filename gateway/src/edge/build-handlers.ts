import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { FunctionSpec } from "../runtime/function-spec.js";

/** A handler (or the template) that does not compile: the message carries the compiler's own words. */
export class HandlerBuildError extends Error {
  override name = "HandlerBuildError";
}

/**
 * Compiles what is not compiled yet: the templates' shells and every handler folder with a tsconfig.json, in
 * one `tsc -b` (TypeScript's build mode skips what is up to date, so a second start costs a second or two).
 */
export async function buildHandlers(specs: readonly FunctionSpec[], log: (line: string) => void): Promise<void> {
  const projects = new Set<string>();
  for (const spec of specs) {
    const script = spec.command.args.find((arg) => arg.endsWith(".js"));
    // The shell's entry is <template>/dist/main.js: its project is the template folder.
    if (script) projects.add(path.dirname(path.dirname(script)));
    projects.add(spec.handlerDir);
  }
  const withConfig = [...projects].filter((dir) => existsSync(path.join(dir, "tsconfig.json")));
  if (withConfig.length > 0) await compile(withConfig, log);
}

/** Compiles the given projects (`tsc -b`), e.g. one handler again after a change under `--watch`. */
export function compile(projects: readonly string[], log: (line: string) => void): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, "-b", ...projects], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", (error) =>
      reject(new HandlerBuildError(`cannot run the TypeScript compiler: ${error.message}`)),
    );
    child.once("exit", (code) => {
      if (code === 0) {
        resolve();
        return;
      }
      const names = projects.map((dir) => path.relative(process.cwd(), dir) || ".").join(", ");
      log(`build failed for ${names}`);
      reject(new HandlerBuildError(`tsc -b ${names} failed:\n${output.trim()}`));
    });
  });
}
