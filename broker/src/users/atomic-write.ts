import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";

/** What identifies one version of a file: a replacement by rename always brings a new inode. */
export interface FileVersion {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

export function sameVersion(a: FileVersion | undefined, b: FileVersion | undefined): boolean {
  return a?.ino === b?.ino && a?.size === b?.size && a?.mtimeMs === b?.mtimeMs;
}

/**
 * Replaces `file` with `content` so that a reader sees the old file or the new one, never a part: the bytes go
 * to a temporary file in the same folder (same file system, so the rename is atomic), are flushed, then renamed
 * over the target. The file gets exactly `mode` whatever the umask; a missing folder is created 0700.
 * Returns the version written, taken before the rename so a later writer's change cannot be mistaken for ours.
 */
export function writeFileAtomic(file: string, content: string, mode: number): FileVersion {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let renamed = false;
  try {
    const fd = openSync(temporary, "wx", mode);
    let version: FileVersion;
    try {
      fchmodSync(fd, mode);
      writeFileSync(fd, content);
      fsyncSync(fd);
      const { ino, size, mtimeMs } = fstatSync(fd);
      version = { ino, size, mtimeMs };
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
    renamed = true;
    syncFolder(dir);
    return version;
  } finally {
    if (!renamed) rmSync(temporary, { force: true });
  }
}

/** Makes the rename itself durable. Some file systems refuse to fsync a folder; the rename has happened anyway. */
function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort, see above.
  }
}
