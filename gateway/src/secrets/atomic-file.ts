import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * Writes `value` to `dir/name` so that a reader sees the old content or the new, never a torn file, and a crash
 * leaves at most a stray temporary file (its name starts with a dot, which no secret name can).
 * With `replace: false` an existing file is kept and false returned: the final step is link(2), which fails
 * rather than overwrite. The file is created with `mode` before any byte is written.
 */
export function writeFileAtomic(dir: string, name: string, value: Buffer, mode: number, replace: boolean): boolean {
  const temp = path.join(dir, `.tmp-${randomBytes(8).toString("hex")}`);
  const target = path.join(dir, name);
  const fd = openSync(temp, "wx", mode);
  try {
    try {
      let written = 0;
      while (written < value.length) written += writeSync(fd, value, written, value.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (replace) {
      renameSync(temp, target);
    } else {
      try {
        linkSync(temp, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw error;
      }
    }
    syncDirectory(dir);
    return true;
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Makes the new directory entry itself durable; not every platform can open a directory, and that is fine. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Best effort only.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
