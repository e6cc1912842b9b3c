import { access, realpath } from "node:fs/promises";
import path from "node:path";
import { BuildContextError } from "./errors.js";

/**
 * The Node and npm a build runs with, when they should be the image's rather than the host's: the
 * template's image is node:18-alpine (Node 18 and its npm 10), so a native addon such as better-sqlite3
 * must be compiled for Node 18's ABI, and the handler's tests must pass on Node 18.
 */
export interface Toolchain {
  /** Put first on PATH: holds `node` and `npm`. */
  readonly binDir: string;
  /** The Node install whose `include/node` headers node-gyp compiles against (no download: we are offline). */
  readonly nodedir: string;
}

/**
 * Reads a toolchain folder laid out as `tools/node18` is: an npm prefix whose `node_modules/.bin` links
 * `node` (from a Node distribution package with its headers) and `npm`.
 */
export async function resolveToolchain(dir: string): Promise<Toolchain> {
  const binDir = path.resolve(dir, "node_modules", ".bin");
  for (const tool of ["node", "npm"]) {
    try {
      await access(path.join(binDir, tool));
    } catch {
      throw new BuildContextError(
        `toolchain ${dir} has no ${tool} in node_modules/.bin (install it: node scripts/run-node18-tests.mjs --install-only)`,
      );
    }
  }
  const nodedir = path.dirname(path.dirname(await realpath(path.join(binDir, "node"))));
  try {
    await access(path.join(nodedir, "include", "node", "node_version.h"));
  } catch {
    throw new BuildContextError(`toolchain ${dir}: ${nodedir} has no include/node headers for native addons`);
  }
  return { binDir, nodedir };
}

/** What a RUN step's environment gains from the toolchain. */
export function toolchainEnv(toolchain: Toolchain, hostPath: string | undefined): Record<string, string> {
  return {
    PATH: hostPath ? `${toolchain.binDir}${path.delimiter}${hostPath}` : toolchain.binDir,
    // Lower-case: node-gyp reads only this spelling. It overrides a nodedir in the user's .npmrc.
    npm_config_nodedir: toolchain.nodedir,
  };
}
