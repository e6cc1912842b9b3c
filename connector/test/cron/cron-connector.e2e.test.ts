import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestEdge, type TestEdge, waitFor } from "../../../gateway/test/edge/support.js";
import { type ConnectorProcess, startConnector } from "../support/connector-process.js";

/** cron-connector as a process against coffee-edge's gateway, through its basic auth. */
let edge: TestEdge;
let connector: ConnectorProcess | undefined;

beforeAll(async () => {
  edge = await startTestEdge([
    { name: "ticker", annotations: { topic: "store/+/x,cron-function", schedule: "@every 1s" } },
    { name: "nightly", annotations: { topic: "cron-function", schedule: "CRON_TZ=Europe/Paris 0 6 * * *" } },
    { name: "unscheduled", annotations: { topic: "cron-function" } },
    { name: "plain" },
  ]);
}, 30_000);

afterAll(async () => {
  await connector?.stop();
  await edge?.stop();
});

it("runs each cron-function on its schedule through the gateway, with X-Topic and X-Connector", async () => {
  connector = await startConnector("cron", {
    gateway_url: edge.url,
    basic_auth: "true",
    secret_mount_path: path.join(edge.dataDir, "secrets"),
    rebuild_interval: "500ms",
  });
  await connector.waitReady();
  await waitFor(
    "two runs of ticker",
    () => (connector?.output().match(/Response: ticker\.openfaas-fn \[200\]/g) ?? []).length >= 2,
    10_000,
  );
  const output = connector.output();
  expect(output).toMatch(/Added: ticker\.openfaas-fn \[@every 1s\]/);
  expect(output).toMatch(/Added: nightly\.openfaas-fn \[CRON_TZ=Europe\/Paris 0 6 \* \* \*\]/);
  expect(output.match(/unscheduled\.openfaas-fn lists cron-function but has no schedule/g)).toHaveLength(1);
  expect(output).not.toMatch(/plain/);

  const logs = await (
    await fetch(`${edge.url}/system/logs?name=ticker`, { headers: { authorization: edge.auth } })
  ).text();
  expect(logs).toMatch(/request completed/);
  expect(await connector.stop()).toBe(0);
});
