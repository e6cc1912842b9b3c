import { createServer, type Server } from "node:net";
import { PassThrough } from "node:stream";
import { afterAll, expect, it } from "vitest";
import { up } from "../../src/cli/up.js";
import { makeStackDir } from "./support.js";

let holder: Server | undefined;
afterAll(() => holder?.close());

it("stops with a message naming the port and GATEWAY_PORT when the gateway's port is taken", async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder?.listen(0, "127.0.0.1", resolve));
  const { port } = holder.address() as { port: number };
  const dir = await makeStackDir([{ name: "probe" }]);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let errors = "";
  stderr.on("data", (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const code = await up([], {
    stdout,
    stderr,
    env: { GATEWAY_PORT: String(port), DATA_DIR: `${dir}/data` },
    cwd: dir,
    signal: new AbortController().signal,
  });
  expect(code).toBe(1);
  expect(errors).toMatch(new RegExp(`port ${port} is already in use.*GATEWAY_PORT=${port + 1} npm start`));
});

it("names the variable when the configuration is bad", async () => {
  const dir = await makeStackDir([{ name: "probe" }]);
  const stderr = new PassThrough();
  let errors = "";
  stderr.on("data", (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const code = await up([], {
    stdout: new PassThrough(),
    stderr,
    env: { GATEWAY_PORT: "eighty" },
    cwd: dir,
    signal: new AbortController().signal,
  });
  expect(code).toBe(1);
  expect(errors).toMatch(/GATEWAY_PORT: expected a number/);
});

it("stops with a message naming MQTT_PORT, and how to use the broker already there, when the broker's port is taken", async () => {
  const held = createServer();
  await new Promise<void>((resolve) => held.listen(0, "127.0.0.1", resolve));
  const { port } = held.address() as { port: number };
  const dir = await makeStackDir([{ name: "probe" }]);
  const stderr = new PassThrough();
  let errors = "";
  stderr.on("data", (chunk: Buffer) => {
    errors += chunk.toString();
  });
  try {
    const code = await up([], {
      stdout: new PassThrough(),
      stderr,
      env: { GATEWAY_PORT: "0", MQTT_PORT: String(port), MQTT_BROKER: "embedded", DATA_DIR: `${dir}/data` },
      cwd: dir,
      signal: new AbortController().signal,
    });
    expect(code).toBe(1);
    expect(errors).toMatch(
      new RegExp(`port ${port} is already in use.*MQTT_PORT=${port + 1} npm start.*MQTT_BROKER=external npm start`),
    );
  } finally {
    held.close();
  }
});

it("by default, uses the broker already on a taken MQTT_PORT and says so", async () => {
  const held = createServer();
  await new Promise<void>((resolve) => held.listen(0, "127.0.0.1", resolve));
  const { port } = held.address() as { port: number };
  const dir = await makeStackDir([{ name: "probe" }]);
  const stdout = new PassThrough();
  let printed = "";
  stdout.on("data", (chunk: Buffer) => {
    printed += chunk.toString();
  });
  const stop = new AbortController();
  try {
    const running = up([], {
      stdout,
      stderr: new PassThrough(),
      env: { GATEWAY_PORT: "0", MQTT_PORT: String(port), DATA_DIR: `${dir}/data` },
      cwd: dir,
      signal: stop.signal,
    });
    const deadline = Date.now() + 20_000;
    while (!/coffee-edge is up/.test(printed) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(printed).toMatch(
      new RegExp(`port ${port} was taken, so the broker already there serves \\(MQTT_PORT moves`),
    );
    stop.abort();
    expect(await running).toBe(0);
  } finally {
    held.close();
  }
}, 30_000);
