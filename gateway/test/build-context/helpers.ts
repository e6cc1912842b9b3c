import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";

/** The repository root, whatever folder vitest runs from. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const TEMPLATE_DIR = path.join(REPO_ROOT, "template", "node18-typescript");

const created: string[] = [];

/** A fresh folder under the OS temp dir (outside the repo); `removeTempDirs` deletes them all. */
export async function makeTempDir(prefix = "build-context-"): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `coffee-edge-${prefix}`));
  created.push(dir);
  return dir;
}

/** For afterEach/afterAll: removes every folder `makeTempDir` made. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Writes `files` (relative path -> content) under `root`, creating folders as needed. */
export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

/** A writable that keeps what is written, for asserting on a command's output. */
export function captured(): Writable & { text(): string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return Object.assign(stream, { text: () => Buffer.concat(chunks).toString() });
}

export { freePort } from "../../src/runtime/port.js";
