import { readFileSync } from "node:fs";

/** The variables of a README's configuration tables: rows `| \`name\` |` after its "## Configuration" heading. */
export function configurationVariables(readmePath: string): Set<string> {
  const readme = readFileSync(readmePath, "utf8");
  const start = readme.indexOf("## Configuration");
  if (start < 0) throw new Error(`${readmePath} has no "## Configuration" section`);
  const section = readme.slice(start);
  return new Set([...section.matchAll(/^\| `(\w+)`\s*\|/gm)].map((match) => match[1] as string));
}
