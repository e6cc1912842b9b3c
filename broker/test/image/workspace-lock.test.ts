import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../gateway/test/build-context/helpers.js";

// broker/Dockerfile installs a minimal workspace (broker/image/workspace/) whose lock is derived from the
// monorepo's. `npm ci` in the image would refuse a stale lock, but only after a long build: these checks say so
// at once, and name the command that fixes it.
const FIX = "run `node connector/image/derive-lock.mjs broker/image/workspace`";

interface LockEntry {
  readonly version?: string;
  readonly link?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}
interface Manifest {
  readonly workspaces?: string[];
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}
type Lock = { readonly packages: Record<string, LockEntry> };

const readJson = async <T>(relative: string): Promise<T> =>
  JSON.parse(await readFile(path.join(REPO_ROOT, relative), "utf8")) as T;
const imageManifest = await readJson<Manifest>("broker/image/workspace/package.json");
const imageLock = await readJson<Lock>("broker/image/workspace/package-lock.json");
const rootManifest = await readJson<Manifest>("package.json");
const rootLock = await readJson<Lock>("package-lock.json");

/** `name@version` of every installed package of a lock (workspace folders and links left out). */
function installed(lock: Lock): Set<string> {
  return new Set(
    Object.entries(lock.packages)
      .filter(([key, entry]) => key.includes("node_modules/") && !entry.link)
      .map(
        ([key, entry]) => `${key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length)}@${entry.version}`,
      ),
  );
}

describe("the broker image's workspace", () => {
  it("holds the template and the broker, with the monorepo's compiler and Node types", () => {
    expect(imageManifest.workspaces).toEqual(["template/node18-typescript", "broker"]);
    expect(imageManifest.devDependencies).toEqual({
      "@types/node": rootManifest.devDependencies?.["@types/node"],
      typescript: rootManifest.devDependencies?.typescript,
    });
  });

  it.each(["template/node18-typescript", "broker"])(
    "locks %s's dependencies as its package.json states them",
    async (member) => {
      const manifest = await readJson<Manifest>(`${member}/package.json`);
      const locked = imageLock.packages[member];
      expect(locked?.dependencies ?? {}, FIX).toEqual(manifest.dependencies ?? {});
      expect(locked?.devDependencies ?? {}, FIX).toEqual(manifest.devDependencies ?? {});
    },
  );

  it("locks only versions the monorepo's lock has, the ones the tests ran with", () => {
    const monorepo = installed(rootLock);
    const foreign = [...installed(imageLock)].filter((entry) => !monorepo.has(entry));
    expect(foreign, FIX).toEqual([]);
    // The broker's own dependencies are in it, down to LevelDB's addon, not only the template's.
    expect([...installed(imageLock)].filter((entry) => /^(aedes|classic-level)@/.test(entry))).toHaveLength(2);
  });
});
