import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { simulateCommand } from "../../src/simulate/command.js";
import { captured } from "../build-context/helpers.js";

const PASSWORD = "pw-9f3c1d-never-printed";

async function run(args: readonly string[]) {
  const stdout = captured();
  const stderr = captured();
  const code = await simulateCommand(args, { stdout, stderr, signal: new AbortController().signal });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A port nothing listens on (it was free a moment ago): connecting is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

let dir: string;
let passwordFile: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "coffee-edge-simulate-"));
  passwordFile = path.join(dir, "mqtt-password");
  await writeFile(passwordFile, `${PASSWORD}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("simulateCommand without a broker", () => {
  const savedPort = process.env.MQTT_PORT;
  afterEach(() => {
    if (savedPort === undefined) delete process.env.MQTT_PORT;
    else process.env.MQTT_PORT = savedPort;
  });

  it("prints its usage for --help and exits 0", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    for (const option of ["--stores", "--rate", "--broker", "--password-file", "--warm-every", "--malformed-every"]) {
      expect(result.stdout).toContain(option);
    }
    expect(result.stderr).toBe("");
  });

  it("refuses an unknown option with exit 2, naming it, and shows the usage", async () => {
    const result = await run(["--stores", "2", "--colour", "blue"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--colour: unknown option");
    expect(result.stderr).toContain("Usage: coffee-edge simulate");
    expect(result.stdout).toBe("");
  });

  it("refuses a bad value with exit 2, naming the option", async () => {
    const result = await run(["--rate", "-3"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^coffee-edge simulate: --rate: /);
  });

  it("refuses a password file it cannot read, with exit 2", async () => {
    const missing = path.join(dir, "missing");
    const result = await run(["--username", "u", "--password-file", missing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--password-file: cannot read ${missing} (ENOENT)`);
  });

  it("exits 1 with a clear message naming the broker, --broker and MQTT_PORT, and no stack trace", async () => {
    const port = await closedPort();
    const result = await run([
      "--broker",
      `mqtt://127.0.0.1:${port}`,
      "--username",
      "u",
      "--password-file",
      passwordFile,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot connect to the MQTT broker at mqtt://127.0.0.1:${port}`);
    expect(result.stderr).toContain("connection refused");
    expect(result.stderr).toContain("--broker");
    expect(result.stderr).toContain("MQTT_PORT");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr + result.stdout).not.toContain(PASSWORD);
  });

  it("uses MQTT_PORT for the default broker", async () => {
    const port = await closedPort();
    process.env.MQTT_PORT = String(port);
    const result = await run(["--count", "1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`mqtt://127.0.0.1:${port}`);
  });

  it("never prints a password given inside the broker URL", async () => {
    const port = await closedPort();
    const result = await run(["--broker", `mqtt://sensor:${PASSWORD}@127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`mqtt://sensor:***@127.0.0.1:${port}`);
    expect(result.stderr + result.stdout).not.toContain(PASSWORD);
  });
});
