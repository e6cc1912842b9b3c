import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { watchHandlers } from "../../src/edge/watch-handlers.js";
import { PROBE_DIR, startTestEdge, type TestEdge, waitFor } from "./support.js";

let edge: TestEdge | undefined;
let handlerDir: string | undefined;
let stopWatching = () => {};

afterAll(async () => {
  stopWatching();
  await edge?.stop();
  if (handlerDir) await rm(handlerDir, { recursive: true, force: true });
});

it("--watch replaces a function's replicas when its handler changes", async () => {
  handlerDir = await mkdtemp(path.join(tmpdir(), "watched-handler-"));
  await cp(PROBE_DIR, handlerDir, { recursive: true });
  edge = await startTestEdge([{ name: "watched", handler: handlerDir }]);
  await waitFor("watched ready", () => edge?.edge.runtime.get("watched")?.available === 1);
  const lines: string[] = [];
  stopWatching = watchHandlers(edge.edge.runtime, (line) => lines.push(line));

  const handlerFile = path.join(handlerDir, "handler.js");
  const source = await readFile(handlerFile, "utf8");
  await writeFile(
    handlerFile,
    source.replace('case "/status":', 'case "/version":\n      return "v2";\n    case "/status":'),
  );
  await waitFor(
    "the new handler to answer",
    async () => (await (await fetch(`${edge?.url}/function/watched/version`)).text()) === "v2",
    15_000,
  );
  expect(lines.join("\n")).toMatch(/watched: replacing its replicas/);
  // The old replica drained and stopped: one process is left.
  await waitFor("the old replica gone", () => edge?.edge.runtime.get("watched")?.list().length === 1);
});
