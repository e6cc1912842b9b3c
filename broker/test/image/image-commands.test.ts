import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ShippedImage } from "../../../connector/image/final-stage.js";
import { probeImageCommand } from "../../../connector/image/probe-command.js";
import { runImageCommand } from "../../../connector/image/run-command.js";
import { freePort, makeTempDir, removeTempDirs } from "../../../gateway/test/build-context/helpers.js";

afterEach(removeTempDirs);

// The parts of the native image proof the broker's test adds: a health port under another variable than
// `port`, checks run while the command serves, and one-shot commands (a CLI) run as `docker run --rm` would.
async function fakeImage(): Promise<ShippedImage> {
  const dir = await makeTempDir("image-commands-");
  return {
    dir,
    cwd: dir,
    env: { FROM_IMAGE: "image value" },
    user: "app",
    cmd: ["node", "server.js"],
    exposed: [],
    healthcheck: undefined,
    baseImage: "node:20-alpine",
  };
}

const searchPath = path.dirname(process.execPath);
const SERVER = `require("node:http").createServer((q, s) => s.end("up")).listen(Number(process.env.HEALTH_PORT), "127.0.0.1");
process.once("SIGTERM", () => process.exit(0));`;

describe("probeImageCommand with healthPortVariable and whileServing", () => {
  it("asks /healthz on the port the named variable holds, and runs the check while the command serves", async () => {
    const image = await fakeImage();
    const port = String(await freePort());
    let answeredDuringCheck: string | undefined;
    const probe = await probeImageCommand(image, ["node", "-e", SERVER], {
      env: { HEALTH_PORT: port },
      healthPortVariable: "HEALTH_PORT",
      searchPath,
      whileServing: async () => {
        answeredDuringCheck = await (await fetch(`http://127.0.0.1:${port}/healthz`)).text();
      },
    });
    expect(probe).toMatchObject({ status: 200, body: "up", exit: 0 });
    expect(answeredDuringCheck).toBe("up");
  });

  it("refuses a probe whose env lacks the health port variable, before starting anything", async () => {
    const image = await fakeImage();
    await expect(
      probeImageCommand(image, ["node", "-e", SERVER], {
        env: { port: "1" },
        healthPortVariable: "HEALTH_PORT",
        searchPath,
      }),
    ).rejects.toThrow(/sets no HEALTH_PORT/);
  });
});

describe("runImageCommand", () => {
  it("runs in the image's WORKDIR with the image's ENV, the given variables and PATH only", async () => {
    const image = await fakeImage();
    const script = `require("node:fs").writeFileSync("seen.json", JSON.stringify({ cwd: process.cwd(), env: process.env })); console.log("done"); console.error("note"); process.exit(3)`;
    const result = await runImageCommand(image, ["node", "-e", script], { env: { GIVEN: "given" }, searchPath });
    expect(result).toEqual({ exit: 3, stdout: "done\n", stderr: "note\n" });
    const seen = JSON.parse(await readFile(path.join(image.dir, "seen.json"), "utf8"));
    expect(seen.cwd).toBe(image.cwd);
    expect(seen.env).toEqual({ PATH: searchPath, FROM_IMAGE: "image value", GIVEN: "given" });
  });

  it("kills a command that does not end in time", async () => {
    const image = await fakeImage();
    await expect(
      runImageCommand(image, ["node", "-e", "setInterval(() => {}, 1000)"], { env: {}, searchPath, timeoutMs: 300 }),
    ).rejects.toThrow(/did not end within 300 ms/);
  });

  it("says when the command cannot start", async () => {
    const image = await fakeImage();
    await expect(runImageCommand(image, ["no-such-command-here"], { env: {}, searchPath })).rejects.toThrow(
      /could not start/,
    );
  });
});
