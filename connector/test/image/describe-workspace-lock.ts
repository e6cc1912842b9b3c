import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../gateway/test/build-context/helpers.js";

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
export type Lock = { readonly packages: Record<string, LockEntry> };

export const readJson = async <T>(relative: string): Promise<T> =>
  JSON.parse(await readFile(path.join(REPO_ROOT, relative), "utf8")) as T;

/** `name@version` of every installed package of a lock (workspace folders and links left out). */
export function installed(lock: Lock): Set<string> {
  return new Set(
    Object.entries(lock.packages)
      .filter(([key, entry]) => key.includes("node_modules/") && !entry.link)
      .map(
        ([key, entry]) => `${key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length)}@${entry.version}`,
      ),
  );
}

/**
 * An image installs a minimal workspace (`<member>/image/workspace/`: the template and the member) whose lock is
 * derived from the monorepo's. `npm ci` in the image would refuse a stale lock, but only after a long build: these
 * checks say so at once, and name the command that fixes it.
 */
export function describeImageWorkspaceLock(member: "connector" | "broker"): void {
  const workspace = `${member}/image/workspace`;
  const fix = `run \`node connector/image/derive-lock.mjs${member === "connector" ? "" : ` ${workspace}`}\``;
  const imageLock = () => readJson<Lock>(`${workspace}/package-lock.json`);
  describe(`the ${member} image's workspace`, () => {
    it(`holds the template and the ${member}, with the monorepo's compiler and Node types`, async () => {
      const imageManifest = await readJson<Manifest>(`${workspace}/package.json`);
      const rootManifest = await readJson<Manifest>("package.json");
      expect(imageManifest.workspaces).toEqual(["template/node18-typescript", member]);
      expect(imageManifest.devDependencies).toEqual({
        "@types/node": rootManifest.devDependencies?.["@types/node"],
        typescript: rootManifest.devDependencies?.typescript,
      });
    });

    it.each(["template/node18-typescript", member])(
      "locks %s's dependencies as its package.json states them",
      async (name) => {
        const manifest = await readJson<Manifest>(`${name}/package.json`);
        const locked = (await imageLock()).packages[name];
        expect(locked?.dependencies ?? {}, fix).toEqual(manifest.dependencies ?? {});
        expect(locked?.devDependencies ?? {}, fix).toEqual(manifest.devDependencies ?? {});
      },
    );

    it("locks only versions the monorepo's lock has, the ones the tests ran with", async () => {
      const monorepo = installed(await readJson<Lock>("package-lock.json"));
      const locked = installed(await imageLock());
      expect(
        [...locked].filter((entry) => !monorepo.has(entry)),
        fix,
      ).toEqual([]);
      expect(locked.size).toBeGreaterThan(50);
    });
  });
}
