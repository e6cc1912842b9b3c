import { copyFile, mkdir, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { BuildContextError } from "./errors.js";

/**
 * Copies `src` (a file or a folder) to `dest` the way faas-cli's `builder.CopyFiles` does, so that a
 * context built here matches one built by `faas-cli build --shrinkwrap`:
 * - symlinks are followed (faas-cli calls `os.Stat`, never `Lstat`): the context holds the files they point
 *   to, not links, exactly as Docker will receive it. We add one guard faas-cli lacks: a link back into one
 *   of its own ancestors is an error instead of an endless recursion.
 * - folders are merged into an existing destination; files overwrite, with the source's permission bits.
 */
export async function copyTree(src: string, dest: string): Promise<void> {
  await copyEntry(src, dest, []);
}

async function copyEntry(src: string, dest: string, ancestors: readonly string[]): Promise<void> {
  const info = await stat(src).catch((error: NodeJS.ErrnoException) => {
    throw new BuildContextError(`cannot copy ${src}: ${error.code === "ENOENT" ? "it does not exist" : error.message}`);
  });
  if (info.isDirectory()) {
    const real = await realpath(src);
    if (ancestors.includes(real)) throw new BuildContextError(`cannot copy ${src}: a symlink loops back to ${real}`);
    await mkdir(dest, { recursive: true, mode: info.mode & 0o777 });
    for (const name of await readdir(src)) {
      await copyEntry(path.join(src, name), path.join(dest, name), [...ancestors, real]);
    }
  } else if (info.isFile()) {
    await mkdir(path.dirname(dest), { recursive: true });
    // copyFile keeps the source's permission bits, as faas-cli's chmod does.
    await copyFile(src, dest).catch((error: Error) => {
      throw new BuildContextError(`cannot copy ${src} to ${dest}: ${error.message}`);
    });
  } else {
    throw new BuildContextError(`cannot copy ${src}: only files, folders and symlinks to them can be copied`);
  }
}
