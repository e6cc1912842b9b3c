import { lstat, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";

/**
 * In Docker the build stage only holds what its COPY instructions bring from the context. Natively the whole
 * context sits in the folder the RUN steps work in, so a file no COPY brings could still change a step: a
 * template's stale `tsconfig.tsbuildinfo` makes `tsc` skip emitting, a `test/` folder adds tests to a run.
 * This moves every context entry that no build-stage COPY brings aside (to a sibling folder, so no step
 * can see it) and returns the function that puts them back once the stage is done, leaving the folder a
 * complete build context again. `copied` are context-relative paths, `.` for the whole context.
 */
export async function stashUncopied(ctxDir: string, copied: readonly string[]): Promise<() => Promise<void>> {
  const normalized = copied.map((entry) => path.posix.normalize(entry));
  if (normalized.includes(".")) return async () => {};

  const stashDir = await mkdtemp(path.join(path.dirname(ctxDir), `.${path.basename(ctxDir)}-stash-`));
  const stashed: string[] = [];

  async function visit(relativeDir: string): Promise<void> {
    for (const entry of await readdir(path.join(ctxDir, relativeDir), { withFileTypes: true })) {
      const relative = path.posix.join(relativeDir, entry.name);
      if (normalized.some((copy) => isWithin(relative, copy))) continue; // copied whole
      if (entry.isDirectory() && normalized.some((copy) => isWithin(copy, relative))) {
        await visit(relative); // only part of it is copied
        continue;
      }
      await mkdir(path.join(stashDir, relativeDir), { recursive: true });
      await rename(path.join(ctxDir, relative), path.join(stashDir, relative));
      stashed.push(relative);
    }
  }

  try {
    await visit("");
  } catch (error) {
    await restore(ctxDir, stashDir, stashed);
    throw error;
  }
  return () => restore(ctxDir, stashDir, stashed);
}

/** Puts stashed entries back; where a build step has since created the same path, the build's output wins. */
async function restore(ctxDir: string, stashDir: string, stashed: readonly string[]): Promise<void> {
  for (const relative of stashed) {
    const target = path.join(ctxDir, relative);
    const taken = await lstat(target).then(
      () => true,
      () => false,
    );
    if (taken) continue;
    await mkdir(path.dirname(target), { recursive: true });
    await rename(path.join(stashDir, relative), target);
  }
  await rm(stashDir, { recursive: true, force: true });
}

/** True when `inner` is `outer` or lies below it (both context-relative, `/`-separated). */
function isWithin(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer}/`);
}
