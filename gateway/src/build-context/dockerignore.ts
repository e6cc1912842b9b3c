import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { BuildContextError } from "./errors.js";
import { matchesSegments, segmentMatcher } from "./glob.js";

/** Docker sends these two even when `.dockerignore` names them: the builder needs them. */
const ALWAYS_SENT = new Set(["Dockerfile", ".dockerignore"]);

/**
 * Reads `<ctx>/.dockerignore` into per-segment matchers (moby `ignorefile.ReadAll`): `#` comments and blank
 * lines skipped, surrounding spaces trimmed, the path cleaned, a leading `/` dropped. Patterns are anchored
 * at the context root: `node_modules` is only the top-level folder; one level down needs a `*` segment first.
 * Exceptions (`!`) and `**` are refused: supporting them half-way would send files Docker would not.
 * `file` is for a context whose ignore file lives elsewhere: BuildKit reads `<Dockerfile>.dockerignore` first.
 */
export async function readDockerignore(
  ctxDir: string,
  file: string = path.join(ctxDir, ".dockerignore"),
): Promise<RegExp[][]> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  const patterns: RegExp[][] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    if (trimmed.startsWith("!") || trimmed.includes("**")) {
      throw new BuildContextError(
        `${file}:${index + 1}: "${trimmed}" uses ! or **, which the native build does not support`,
      );
    }
    const cleaned = path.posix.normalize(trimmed).replace(/^\/+/, "").replace(/\/+$/, "");
    if (cleaned === "." || cleaned === "" || cleaned === ".." || cleaned.startsWith("../")) {
      throw new BuildContextError(`${file}:${index + 1}: "${trimmed}" does not name anything inside the context`);
    }
    patterns.push(cleaned.split("/").map(segmentMatcher));
  }
  return patterns;
}

/**
 * Deletes from the context what Docker would not send to the builder, so that the native build sees what
 * `docker build` sees (for instance no `node_modules` or `dist` left over from the template's own development).
 * Returns the removed paths, relative to the context.
 */
export async function applyDockerignore(ctxDir: string): Promise<string[]> {
  const patterns = await readDockerignore(ctxDir);
  const depth = Math.max(0, ...patterns.map((pattern) => pattern.length));
  const removed: string[] = [];

  // A pattern of N segments can only match a path of N segments (`*` never crosses `/`); deeper paths go
  // with their matched ancestor, so the walk stops at the deepest pattern.
  async function visit(relativeDir: string, segments: string[]): Promise<void> {
    const entries = await readdir(path.join(ctxDir, relativeDir), { withFileTypes: true });
    for (const entry of entries) {
      const relative = path.posix.join(relativeDir, entry.name);
      const entrySegments = [...segments, entry.name];
      if (segments.length === 0 && ALWAYS_SENT.has(entry.name)) continue;
      if (patterns.some((pattern) => matchesSegments(pattern, entrySegments))) {
        await rm(path.join(ctxDir, relative), { recursive: true, force: true });
        removed.push(relative);
      } else if (entry.isDirectory() && entrySegments.length < depth) {
        await visit(relative, entrySegments);
      }
    }
  }

  if (patterns.length > 0) await visit("", []);
  return removed.sort();
}
