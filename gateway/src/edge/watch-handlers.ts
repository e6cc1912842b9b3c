import { existsSync, type FSWatcher, watch } from "node:fs";
import path from "node:path";
import type { FunctionRuntime } from "../runtime/function-runtime.js";
import { compile } from "./build-handlers.js";

/** Changes under these do not come from the developer: the compiler's output and installed packages. */
const IGNORED = /(^|[/\\])(dist|node_modules|data|\.git)([/\\]|$)/;
const DEBOUNCE_MS = 300;

/**
 * `--watch`: when a file of a handler folder changes, that handler is compiled again and, if it compiles, its
 * replicas are replaced (new ones start, old ones drain); if it does not, the old replicas keep serving.
 */
export function watchHandlers(runtime: FunctionRuntime, say: (line: string) => void): () => void {
  const watchers: FSWatcher[] = [];
  for (const pool of runtime.list()) {
    const dir = pool.spec.handlerDir;
    let timer: NodeJS.Timeout | undefined;
    let building = Promise.resolve();
    const rebuild = () => {
      building = building.then(async () => {
        const typescript = existsSync(path.join(dir, "tsconfig.json"));
        say(`${pool.spec.name}: handler changed${typescript ? ", rebuilding" : ""}`);
        try {
          if (typescript) await compile([dir], say);
        } catch (error) {
          say(`${pool.spec.name}: ${(error as Error).message}\n${pool.spec.name}: the running replicas keep serving`);
          return;
        }
        pool.replace();
        say(`${pool.spec.name}: replacing its replicas`);
      });
    };
    const watcher = watch(dir, { recursive: true }, (_event, file) => {
      if (file && IGNORED.test(file.toString())) return;
      if (file && !/\.(ts|mts|cts|js|mjs|cjs|json)$/.test(file.toString())) return;
      clearTimeout(timer);
      timer = setTimeout(rebuild, DEBOUNCE_MS);
    });
    watcher.on("error", (error) =>
      say(`${pool.spec.name}: cannot watch ${path.relative(process.cwd(), dir)}: ${error.message}`),
    );
    watchers.push(watcher);
  }
  return () => {
    for (const watcher of watchers) watcher.close();
  };
}
