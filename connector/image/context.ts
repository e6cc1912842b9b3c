import { cp, mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { readDockerignore } from "../../gateway/src/build-context/dockerignore.js";
import { matchesSegments } from "../../gateway/src/build-context/glob.js";

/**
 * Copies into `contextDir` what `docker build` sends as the context when it is run at `sourceDir` with the
 * ignore file `ignoreFile` (for `-f connector/Dockerfile`, BuildKit's connector/Dockerfile.dockerignore): every
 * entry no pattern matches, symlinks as symlinks. Ignored folders are skipped without being read, so the
 * repository's node_modules and .git cost nothing. Returns the ignored paths, relative to `sourceDir`.
 */
export async function assembleContext(sourceDir: string, ignoreFile: string, contextDir: string): Promise<string[]> {
  const patterns = await readDockerignore(sourceDir, ignoreFile);
  // A pattern of N segments only matches paths of N segments (`*` never crosses `/`): below the deepest
  // pattern, nothing can be ignored any more, and a folder is copied whole.
  const depth = Math.max(0, ...patterns.map((pattern) => pattern.length));
  const ignored: string[] = [];

  async function visit(segments: readonly string[]): Promise<void> {
    const relativeDir = path.join(...segments);
    await mkdir(path.join(contextDir, relativeDir), { recursive: true });
    for (const entry of await readdir(path.join(sourceDir, relativeDir), { withFileTypes: true })) {
      const entrySegments = [...segments, entry.name];
      const relative = entrySegments.join("/");
      if (patterns.some((pattern) => matchesSegments(pattern, entrySegments))) {
        ignored.push(relative);
      } else if (entry.isDirectory() && entrySegments.length < depth) {
        await visit(entrySegments);
      } else {
        await cp(path.join(sourceDir, relative), path.join(contextDir, relative), {
          recursive: true,
          verbatimSymlinks: true,
        });
      }
    }
  }

  await visit([]);
  return ignored.sort();
}
