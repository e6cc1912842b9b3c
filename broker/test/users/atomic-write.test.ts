import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sameVersion, writeFileAtomic } from "../../src/users/atomic-write.js";
import { makeTempDir, removeTempDirs } from "./temp-dir.js";

afterEach(removeTempDirs);

describe("writeFileAtomic", () => {
  it("creates the missing folder 0700 and the file with exactly the mode asked", async () => {
    const file = path.join(await makeTempDir(), "a", "b", "users.json");
    writeFileAtomic(file, "hello\n", 0o600);
    expect(readFileSync(file, "utf8")).toBe("hello\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it("replaces the file with a new inode and returns that version", async () => {
    const file = path.join(await makeTempDir(), "users.json");
    writeFileSync(file, "old");
    const oldInode = statSync(file).ino;
    const version = writeFileAtomic(file, "new content", 0o600);
    const stats = statSync(file);
    expect(stats.ino).not.toBe(oldInode);
    expect(sameVersion(version, { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs })).toBe(true);
    expect(readFileSync(file, "utf8")).toBe("new content");
  });

  it("throws when the rename fails, leaving what was there and no temporary file", async () => {
    const dir = await makeTempDir();
    const file = path.join(dir, "users.json");
    // A non-empty folder cannot be replaced by a file, not even by root.
    mkdirSync(path.join(file, "occupied"), { recursive: true });
    expect(() => writeFileAtomic(file, "new", 0o600)).toThrow();
    expect(readdirSync(dir)).toEqual(["users.json"]);
    expect(readdirSync(file)).toEqual(["occupied"]);
  });
});
