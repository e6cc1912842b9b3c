import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCronConnectorConfig } from "../../src/cron/config.js";
import { loadMqttConnectorConfig } from "../../src/mqtt/config.js";

const connectorDir = fileURLToPath(new URL("../../", import.meta.url));

/** Every variable a config module reads: `envX(env, "name"` calls, here and in the shared core. */
function variablesInCode(): Set<string> {
  const names = new Set<string>();
  for (const dir of ["src/core", "src/mqtt", "src/cron"]) {
    for (const file of readdirSync(path.join(connectorDir, dir))) {
      if (!file.endsWith("config.ts")) continue;
      const source = readFileSync(path.join(connectorDir, dir, file), "utf8");
      for (const match of source.matchAll(/env\w+\(env, "(\w+)"/g)) names.add(match[1] as string);
    }
  }
  return names;
}

describe("the configuration table in connector/README.md", () => {
  const readme = readFileSync(path.join(connectorDir, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Configuration"));
  const inTable = new Set([...section.matchAll(/^\| `(\w+)`\s*\|/gm)].map((match) => match[1] as string));
  const inCode = variablesInCode();

  it("finds the variables on both sides", () => {
    expect(inCode.size).toBeGreaterThan(25);
    expect(inCode).toContain("gateway_url");
    expect(inCode).toContain("broker_url");
  });

  it("lists every variable the code reads, and none it does not", () => {
    expect([...inTable].sort()).toEqual([...inCode].sort());
  });
});

describe("mqtt-connector's configuration", () => {
  it("has the defaults the README gives", () => {
    const config = loadMqttConnectorConfig({}, "/srv");
    expect(config).toMatchObject({
      gatewayUrl: "http://127.0.0.1:8080",
      basicAuth: false,
      secretMountPath: "/var/secrets",
      upstreamTimeoutMs: 60_000,
      rebuildIntervalMs: 10_000,
      asynchronous: false,
      brokerUrl: "mqtt://127.0.0.1:1883",
      clientId: "coffee-edge-mqtt-connector",
      protocol: "auto",
      staticTopics: [],
      contentType: "application/json",
      maxInflight: 16,
      maxAttempts: 10,
      retryMinMs: 500,
      retryMaxMs: 30_000,
      deadLetterTopic: "{topic}/dlq",
      dataDir: "/srv/data",
      queueSync: "normal",
      maxQueued: 100_000,
      port: 8081,
      host: "127.0.0.1",
      keepaliveSeconds: 30,
      reconnectMaxMs: 30_000,
    });
  });

  it("accepts durations as seconds or with a unit, as OpenFaaS does", () => {
    expect(loadMqttConnectorConfig({ upstream_timeout: "10" }).upstreamTimeoutMs).toBe(10_000);
    expect(loadMqttConnectorConfig({ upstream_timeout: "10s" }).upstreamTimeoutMs).toBe(10_000);
    expect(loadMqttConnectorConfig({ basic_auth: "1" }).basicAuth).toBe(true);
  });

  it.each([
    [{ gateway_url: "gateway:8080" }, /^gateway_url: /],
    [{ broker_url: "tcp://x:1883" }, /^broker_url: expected mqtt:\/\/, mqtts:\/\/, ws:\/\/ or wss:\/\//],
    [{ broker_url: "not a url" }, /^broker_url: expected a URL/],
    [{ basic_auth: "yes" }, /^basic_auth: expected true or false/],
    [{ upstream_timeout: "soon" }, /^upstream_timeout: expected a duration/],
    [{ rebuild_interval: "10ms" }, /^rebuild_interval: must be at least 100/],
    [{ mqtt_protocol: "4" }, /^mqtt_protocol: expected one of auto, 5, 3\.1\.1/],
    [{ topics: "store/#/x" }, /^topics: "store\/#\/x": # must be a whole level/],
    [{ share_group: "a/b" }, /^share_group: /],
    [{ max_inflight: "0" }, /^max_inflight: must be at least 1/],
    [{ retry_min: "5s", retry_max: "1s" }, /^retry_max: must be at least retry_min/],
    [{ dead_letter_topic: "dlq/#" }, /^dead_letter_topic: /],
    [{ queue_sync: "sometimes" }, /^queue_sync: expected one of normal, full/],
    [{ tls_cert_file: "/x.pem" }, /^tls_key_file: a client certificate needs both/],
    [{ port: "70000" }, /^port: must be at most 65535/],
  ])("names the variable for %j", (env, message) => {
    expect(() => loadMqttConnectorConfig(env)).toThrow(message);
  });
});

describe("cron-connector's configuration", () => {
  it("has its defaults", () => {
    expect(loadCronConnectorConfig({})).toMatchObject({
      gatewayUrl: "http://127.0.0.1:8080",
      rebuildIntervalMs: 10_000,
      port: 8082,
    });
  });

  it("names the variable", () => {
    expect(() => loadCronConnectorConfig({ asynchronous_invocation: "maybe" })).toThrow(/^asynchronous_invocation: /);
  });
});
