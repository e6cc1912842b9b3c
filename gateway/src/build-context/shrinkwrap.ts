import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { copyTree } from "./copy-tree.js";
import { BuildContextError } from "./errors.js";

export interface BuildContextOptions {
  /** Where faas-cli runs: `configuration.copy` paths are relative to it and must stay inside it. */
  readonly projectDir: string;
  /** `template/<lang>/`, copied whole. */
  readonly templateDir: string;
  /** The function's handler folder, overlaid on `<outDir>/<handlerFolder>/`. */
  readonly handlerDir: string;
  /** `configuration.copy` paths, each copied to `<outDir>/<handlerFolder>/<path>`. */
  readonly copy?: readonly string[];
  /** The build context to (re)create; faas-cli's is `build/<name>/`. */
  readonly outDir: string;
  /** The template's `handler_folder`; faas-cli's default is `function`. */
  readonly handlerFolder?: string;
}

/** Entries of the handler folder faas-cli never overlays (they hold faas-cli's own output and templates). */
const SKIPPED_HANDLER_ENTRIES = new Set(["build", "template"]);

/**
 * Builds the same folder `faas-cli build --shrinkwrap` builds (go-sdk `builder.CreateBuildContext`):
 * 1. remove `outDir`, then create `outDir/<handlerFolder>/` (0700, or 0777 when CI is set, as faas-cli does);
 * 2. copy the entire template folder into `outDir`;
 * 3. overlay every entry of the handler folder onto `outDir/<handlerFolder>/`, skipping the top-level
 *    entries named `build` and `template`; template files the handler does not overwrite stay;
 * 4. copy each `configuration.copy` path P into `outDir/<handlerFolder>/P`.
 * Returns the absolute path of the context.
 */
export async function createBuildContext(options: BuildContextOptions): Promise<string> {
  const projectDir = path.resolve(options.projectDir);
  const templateDir = path.resolve(options.templateDir);
  const handlerDir = path.resolve(options.handlerDir);
  const outDir = path.resolve(options.outDir);
  const handlerDest = path.join(outDir, options.handlerFolder ?? "function");
  const copies = (options.copy ?? []).map((entry) => resolveCopyPath(projectDir, entry));

  // faas-cli's context is always ./build/<fn>; ours can be any --out, so refuse one whose `rm -rf` would
  // delete the sources, or that lies inside a folder being copied into it.
  const sources = [
    ["project", projectDir],
    ["template", templateDir],
    ["handler", handlerDir],
    ...copies.map(({ source }) => ["copy", source] as const),
  ] as const;
  for (const [what, dir] of sources) {
    if (isInside(dir, outDir) || (what !== "project" && isInside(outDir, dir))) {
      throw new BuildContextError(`refusing to build the context in ${outDir}: it overlaps the ${what} folder ${dir}`);
    }
  }

  await rm(outDir, { recursive: true, force: true });
  const ci = process.env.CI === "true" || process.env.CI === "1";
  await mkdir(handlerDest, { recursive: true, mode: ci ? 0o777 : 0o700 });

  await copyTree(templateDir, outDir);

  const entries = await readdir(handlerDir).catch((error: Error) => {
    throw new BuildContextError(`cannot read the handler folder ${handlerDir}: ${error.message}`);
  });
  for (const name of entries) {
    if (SKIPPED_HANDLER_ENTRIES.has(name)) continue;
    await copyTree(path.join(handlerDir, name), path.join(handlerDest, name));
  }

  for (const { source, relative } of copies) {
    await copyTree(source, path.join(handlerDest, relative));
  }
  return outDir;
}

/**
 * faas-cli's `pathInScope`: a copy path must lie inside the project and must not be the project itself.
 * (faas-cli compares string prefixes, so `../project-other` slips through; we compare path segments.)
 */
function resolveCopyPath(projectDir: string, entry: string): { source: string; relative: string } {
  const source = path.resolve(projectDir, entry);
  const relative = path.relative(projectDir, source);
  if (relative === "") {
    throw new BuildContextError(`copy path "${entry}" is the whole project (${projectDir}); name a folder inside it`);
  }
  if (!isInside(source, projectDir)) {
    throw new BuildContextError(`copy path "${entry}" is outside the project ${projectDir}`);
  }
  return { source, relative };
}

/** True when `child` is `parent` or lies below it. */
function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === "" || (relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}
