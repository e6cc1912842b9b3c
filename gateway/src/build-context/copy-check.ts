import { stat } from "node:fs/promises";
import path from "node:path";
import type { Instruction } from "./dockerfile.js";
import { BuildContextError } from "./errors.js";
import { expandGlob } from "./glob.js";

/** The image folder the native build maps onto the context folder: `/home/app/x` is `<ctx>/x`. */
export const APP_HOME = "/home/app";

type Copy = Extract<Instruction, { kind: "COPY" }>;

/**
 * The context-relative path (`.` for the root) of an absolute image path under /home/app. The native build
 * runs in the context folder itself, so it can only follow a Dockerfile that works inside /home/app.
 */
export function contextPathOf(imagePath: string, what: string): string {
  const relative = path.posix.relative(APP_HOME, path.posix.resolve("/", imagePath));
  if (relative === ".." || relative.startsWith("../")) {
    throw new BuildContextError(
      `${what}: ${imagePath} is outside ${APP_HOME}, which the native build maps to the context folder`,
    );
  }
  return relative === "" ? "." : relative;
}

/**
 * Checks a `COPY` from the build context (no `--from`) against the context: every source exists (a glob such
 * as `package*.json` must match something) and lands where it already is, i.e. context path P goes to
 * /home/app/P. Then the copy is a no-op natively and skipping it is faithful. Returns the copied paths.
 */
export async function checkContextCopy(ctxDir: string, copy: Copy, workdir: string): Promise<string[]> {
  const copied: string[] = [];
  for (const source of copy.sources) {
    const relative = path.posix.normalize(source).replace(/^\/+/, "");
    if (relative === ".." || relative.startsWith("../")) {
      throw new BuildContextError(`${copy.text}: ${source} is outside the build context`);
    }
    const matches = await expandGlob(ctxDir, relative);
    if (matches.length === 0) {
      throw new BuildContextError(`${copy.text}: ${source} matches nothing in the context (is it in .dockerignore?)`);
    }
    copied.push(...matches);
  }
  await checkMirrored(ctxDir, copy, workdir, copied);
  return copied;
}

/**
 * Checks a final-stage `COPY --from=<build stage> /home/app/X dest` after the native build: X exists in the
 * context and `dest` is /home/app/X, so the context folder is what the shipped image holds.
 */
export async function checkBuildOutputCopy(ctxDir: string, copy: Copy, workdir: string): Promise<void> {
  const copied: string[] = [];
  for (const source of copy.sources) {
    // `COPY --from` sources are paths in the other stage, resolved from its root, not from WORKDIR.
    const relative = contextPathOf(source, copy.text);
    const matches = await expandGlob(ctxDir, relative);
    if (matches.length === 0) {
      throw new BuildContextError(`${copy.text}: ${path.posix.resolve("/", source)} does not exist after the build`);
    }
    copied.push(...matches);
  }
  await checkMirrored(ctxDir, copy, workdir, copied);
}

/** Docker's placement rules: a folder's contents go into dest; a file goes to dest, or into it if dest is a folder. */
async function checkMirrored(ctxDir: string, copy: Copy, workdir: string, copied: readonly string[]): Promise<void> {
  const dest = path.posix.resolve(workdir, copy.dest);
  const destContext = path.join(ctxDir, contextPathOf(dest, copy.text));
  const destIsFolder =
    /(^|\/)\.?$/.test(copy.dest) ||
    copied.length > 1 ||
    (await stat(destContext).then(
      (s) => s.isDirectory(),
      () => false,
    ));

  for (const relative of copied) {
    const isFolder = (await stat(path.join(ctxDir, relative))).isDirectory();
    const target = isFolder || !destIsFolder ? dest : path.posix.join(dest, path.posix.basename(relative));
    const expected = path.posix.join(APP_HOME, relative);
    if (target !== expected) {
      throw new BuildContextError(
        `${copy.text} (WORKDIR ${workdir}) puts ${relative} at ${target}, not at ${expected}: ` +
          `the native build runs in the context folder, so a COPY must keep the context's layout under ${APP_HOME}`,
      );
    }
  }
}
