import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { type CallbackReceiver, startCallbackReceiver } from "./callback-receiver.js";
import { type ChildEdge, COFFEE_EDGE, freePort, killGroup, spawnEdge, waitUntilServing } from "./child-edge.js";
import { makeStackDir, waitFor } from "./support.js";

const CALLS = 200;
let receiver: CallbackReceiver | undefined;
const edges: ChildEdge[] = [];
let dir: string | undefined;

afterAll(async () => {
  for (const edge of edges) killGroup(edge);
  await receiver?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("loses no accepted async call when the gateway is killed with SIGKILL while the queue drains", async () => {
  dir = await makeStackDir([{ name: "probe" }]);
  const port = await freePort();
  const env = {
    GATEWAY_PORT: String(port),
    DATA_DIR: path.join(dir, "data"),
    // No broker or MQTT connector: this test is about the async queue.
    MQTT_BROKER: "external",
    MQTT_PORT: String(await freePort()),
    ASYNC_CONCURRENCY: "2",
    ASYNC_RETRY_MIN: "20ms",
    ASYNC_RETRY_MAX: "200ms",
  };
  const start = () => {
    const edge = spawnEdge(process.execPath, [COFFEE_EDGE, "up", "-f", "stack.yml"], dir as string, env, port);
    edges.push(edge);
    return edge;
  };
  receiver = await startCallbackReceiver();
  const first = start();
  await waitUntilServing(first, "probe");

  const answers = await Promise.all(
    Array.from({ length: CALLS }, (_, i) =>
      fetch(`${first.url}/async-function/probe/sleep?ms=25`, {
        method: "POST",
        headers: { "x-callback-url": receiver?.url as string, "x-call-id": `call-${i}` },
        body: String(i),
      }),
    ),
  );
  expect(answers.filter((answer) => answer.status === 202)).toHaveLength(CALLS);

  const { pid: replicaPid } = (await (await fetch(`${first.url}/function/probe`)).json()) as { pid: number };
  // Kill it mid-drain: some callbacks delivered, most not.
  await waitFor("the first callbacks", () => (receiver?.received.length ?? 0) >= 10);
  first.child.kill("SIGKILL");
  await first.exited;
  const deliveredBeforeKill = new Set(receiver.received.map((callback) => callback.headers["x-call-id"])).size;
  expect(deliveredBeforeKill).toBeLessThan(CALLS);

  // Its replica does not outlive it (it learns through its IPC channel that the gateway is gone).
  await waitFor("the orphaned replica to exit", () => !isAlive(replicaPid), 10_000);

  const second = start();
  await waitFor(
    `every callback (have ${new Set(receiver.received.map((c) => c.headers["x-call-id"])).size})`,
    () => new Set(receiver?.received.map((callback) => callback.headers["x-call-id"])).size === CALLS,
    90_000,
  );
  const ids = new Set(receiver.received.map((callback) => callback.headers["x-call-id"]));
  expect([...ids].sort()).toEqual(Array.from({ length: CALLS }, (_, i) => `call-${i}`).sort());
  expect(receiver.received.every((callback) => callback.headers["x-function-status"] === "200")).toBe(true);

  second.child.kill("SIGTERM");
  expect(await second.exited).toBe(0);
}, 150_000);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
