import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fixture, runShellToExit, type ShellProcess, spawnShell } from "./helpers.js";

let shell: ShellProcess | undefined;
afterEach(async () => {
  if (shell && shell.child.exitCode === null) shell.child.kill("SIGKILL");
  shell = undefined;
});

function canConnect(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("the shell process (dist/main.js, the template's fprocess)", () => {
  it("on SIGTERM finishes the request in flight, refuses new connections, and exits 0 before write_timeout", async () => {
    shell = await spawnShell(fixture("slow"), { write_timeout: "5s" });
    const inFlight = fetch(`${shell.url}/?ms=700`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const signalled = Date.now();
    shell.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await canConnect(shell.url)).toBe(false);

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ waited: 700 });
    expect(await shell.exited()).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(shell.stdout.join("\n")).toMatch(/SIGTERM: draining/);
  });

  it("logs one JSON line per request with method, path, status, duration and X-Call-Id", async () => {
    shell = await spawnShell(fixture("slow"));
    await fetch(`${shell.url}/orders?ms=0`, {
      method: "POST",
      headers: { "x-call-id": "call-123", "content-type": "text/plain" },
      body: "x",
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = shell.stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    const completed = lines.filter((line) => line.msg === "request completed");
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      level: "info",
      component: "fn",
      method: "POST",
      path: "/orders",
      status: 200,
      callId: "call-123",
    });
    expect(completed[0]?.durationMs).toEqual(expect.any(Number));
    expect(completed[0]?.time).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    shell.child.kill("SIGTERM");
    expect(await shell.exited()).toBe(0);
  });

  it("refuses to start on a bad variable, naming it", async () => {
    const { code, stderr } = await runShellToExit({ FUNCTION_DIR: fixture("slow"), MAX_JSON_SIZE: "lots" });
    expect(code).toBe(1);
    expect(stderr).toMatch(/MAX_JSON_SIZE/);
  });

  it("refuses to start when the handler module exports no function, saying what to write", async () => {
    const { code, stderr } = await runShellToExit({ FUNCTION_DIR: fixture("no-export"), http_port: "0" });
    expect(code).toBe(1);
    expect(stderr).toMatch(/does not export a handler/);
  });
});
