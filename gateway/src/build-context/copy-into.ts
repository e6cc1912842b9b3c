import { cp, mkdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { contextPathOf } from "./copy-check.js";
import type { Instruction } from "./dockerfile.js";
import { BuildContextError } from "./errors.js";
import { expandGlob } from "./glob.js";

type Copy = Extract<Instruction, { kind: "COPY" }>;

/**
 * Where a COPY reads: the build context (sources relative to its root, as `COPY src dest`), or the folder
 * standing for an earlier stage's /home/app (sources are absolute paths in that stage, as `COPY --from`).
 */
export interface CopyOrigin {
  readonly kind: "context" | "stage";
  readonly dir: string;
}

/**
 * The paths a COPY's sources name in its origin, relative to the origin's folder, globs expanded. Fails for a
 * source that escapes the origin or matches nothing, as `docker build` does, so a plan can check a COPY before
 * the long steps that precede it run.
 */
export async function resolveCopySources(copy: Copy, origin: CopyOrigin): Promise<string[]> {
  if (copy.flags.chmod !== undefined) {
    throw new BuildContextError(`${copy.text}: COPY --chmod is not supported natively`);
  }
  if (copy.sources.length > 1 && !namesFolder(copy.dest)) {
    throw new BuildContextError(`${copy.text}: with more than one source, the destination must end in /`);
  }
  const matched: string[] = [];
  for (const source of copy.sources) {
    const relative =
      origin.kind === "stage"
        ? // `COPY --from` sources are paths in the other stage, resolved from its root, not from WORKDIR.
          contextPathOf(path.posix.resolve("/", source), copy.text)
        : path.posix.normalize(source).replace(/^\/+/, "");
    if (relative === ".." || relative.startsWith("../")) {
      throw new BuildContextError(`${copy.text}: ${source} is outside the build context`);
    }
    const matches = await expandGlob(origin.dir, relative);
    if (matches.length === 0) {
      const where = origin.kind === "stage" ? "in that stage" : "in the context (is it in .dockerignore?)";
      throw new BuildContextError(`${copy.text}: ${source} matches nothing ${where}`);
    }
    matched.push(...matches);
  }
  return matched;
}

/**
 * Performs a COPY the way Docker does, into `stageDir`, the folder standing for the stage's /home/app:
 * a folder's contents go into dest (the folder itself is not created inside it); a file goes to dest, or into
 * dest when dest ends in `/`, already is a folder, or several paths are copied. Symlinks inside a copied folder
 * stay symlinks with their target unchanged; a source that is itself a symlink is followed. `--chown` has no
 * native meaning (every file belongs to whoever runs the build); `--chmod` is refused rather than ignored.
 * Returns the copied source paths, relative to the origin.
 */
export async function performCopy(
  copy: Copy,
  origin: CopyOrigin,
  stageDir: string,
  workdir: string,
): Promise<string[]> {
  const copied = await resolveCopySources(copy, origin);
  const destImage = path.posix.resolve(workdir, copy.dest);
  const dest = path.join(stageDir, contextPathOf(destImage, copy.text));
  const destIsFolder = namesFolder(copy.dest) || copied.length > 1 || (await isFolder(dest));

  for (const relative of copied) {
    const source = await realpath(path.join(origin.dir, relative));
    if (await isFolder(source)) {
      await mkdir(dest, { recursive: true });
      await cp(source, dest, { recursive: true, force: true, verbatimSymlinks: true });
    } else {
      const target = destIsFolder ? path.join(dest, path.basename(relative)) : dest;
      await mkdir(path.dirname(target), { recursive: true });
      await cp(source, target, { force: true });
    }
  }
  return copied;
}

/** `dir/`, `.` and `dir/.` name a folder whether or not it exists yet. */
function namesFolder(dest: string): boolean {
  return /(^|\/)\.?$/.test(dest);
}

function isFolder(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isDirectory(),
    () => false,
  );
}
