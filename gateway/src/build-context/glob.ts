import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { BuildContextError } from "./errors.js";

/**
 * Docker matches `.dockerignore` patterns and `COPY` sources with Go's `filepath.Match`, one path segment at a
 * time: `*` is any run of characters other than `/` (dot-files included), `?` one such character, `[...]` a
 * class (`[^...]` negated). Both callers share this one matcher so that they agree with each other.
 */
export function segmentMatcher(segment: string): RegExp {
  let source = "";
  for (let i = 0; i < segment.length; i += 1) {
    const char = segment[i] as string;
    if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (char === "[") {
      // Go's class syntax (`^` negation, `a-z` ranges, `\` escapes) reads the same as a RegExp class.
      const end = segment.indexOf("]", i + 1);
      if (end === -1) throw new BuildContextError(`unterminated [ in pattern "${segment}"`);
      source += `[${segment.slice(i + 1, end)}]`;
      i = end;
    } else if (char === "\\" && i + 1 < segment.length) {
      i += 1;
      source += escapeRegExp(segment[i] as string);
    } else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, "s");
}

function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** True when every segment of `pathSegments` matches the pattern segment in the same place. */
export function matchesSegments(patterns: readonly RegExp[], pathSegments: readonly string[]): boolean {
  return patterns.length === pathSegments.length && patterns.every((pattern, i) => pattern.test(pathSegments[i] ?? ""));
}

/**
 * The existing paths under `root` that `pattern` (relative, `/`-separated) names, relative to `root` and
 * sorted; `.` stands for `root` itself. A pattern without wildcards yields itself if it exists.
 */
export async function expandGlob(root: string, pattern: string): Promise<string[]> {
  const normalized = path.posix.normalize(pattern).replace(/^\/+/, "").replace(/\/+$/, "");
  if (normalized === "." || normalized === "") return ["."];
  let candidates = [""];
  for (const segment of normalized.split("/")) {
    if (!hasGlob(segment)) {
      candidates = candidates.map((dir) => path.posix.join(dir, segment));
      continue;
    }
    const matcher = segmentMatcher(segment);
    const next: string[] = [];
    for (const dir of candidates) {
      const names = await readdir(path.join(root, dir)).catch(() => []);
      for (const name of names) if (matcher.test(name)) next.push(path.posix.join(dir, name));
    }
    candidates = next;
  }
  const existing = await Promise.all(candidates.map((candidate) => exists(path.join(root, candidate))));
  return candidates.filter((_, i) => existing[i]).sort();
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
