import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadBrokerConfig } from "../../src/config.js";

const brokerDir = fileURLToPath(new URL("../../", import.meta.url));

describe("the configuration table in broker/README.md", () => {
  it("lists every variable the code reads, and none it does not", () => {
    const source = readFileSync(path.join(brokerDir, "src/config.ts"), "utf8");
    const inCode = new Set(
      [...source.matchAll(/env\w+\(env, "(\w+)"/g), ...source.matchAll(/optionalPort\(env, "(\w+)"/g)].map(
        (m) => m[1] as string,
      ),
    );
    const readme = readFileSync(path.join(brokerDir, "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("## Configuration"));
    const inTable = new Set([...table.matchAll(/^\| `(\w+)`\s*\|/gm)].map((m) => m[1] as string));
    expect(inCode.size).toBeGreaterThan(20);
    expect([...inTable].sort()).toEqual([...inCode].sort());
  });
});

describe("loadBrokerConfig", () => {
  it("has the README's defaults", () => {
    expect(loadBrokerConfig({}, "/srv")).toMatchObject({
      mqttPort: 1883,
      host: "0.0.0.0",
      mqttsPort: 8883,
      wsPort: 8083,
      dataDir: "/srv/data",
      usersFile: "/srv/data/users.json",
      allowAnonymous: false,
      maxConnections: 1000,
      maxPacketBytes: 256 * 1024,
      maxClientIdLength: 64,
      maxPublishRate: 500,
      healthPort: 8084,
    });
    expect(loadBrokerConfig({ WS_PORT: "off", HEALTH_PORT: "off" }).wsPort).toBeUndefined();
  });

  it.each([
    [{ MQTT_PORT: "x" }, /^MQTT_PORT: /],
    [{ TLS_CERT_FILE: "/c.pem" }, /^TLS_KEY_FILE: /],
    [{ TLS_REQUIRE_CLIENT_CERT: "true" }, /^TLS_REQUIRE_CLIENT_CERT: needs TLS_CA_FILE/],
    [{ BROKER_ALLOW_ANONYMOUS: "yes" }, /^BROKER_ALLOW_ANONYMOUS: /],
    [{ MAX_PACKET_SIZE: "huge" }, /^MAX_PACKET_SIZE: /],
    [{ BRIDGE_URL: "tcp://x" }, /^BRIDGE_URL: /],
    [{ BRIDGE_URL: "mqtt://central:1883" }, /^BRIDGE_TOPICS: /],
    [{ BRIDGE_URL: "mqtt://central:1883", BRIDGE_TOPICS: "store/#" }, /^STORE_ID: /],
    [{ BRIDGE_URL: "mqtt://central:1883", BRIDGE_TOPICS: "store/#", STORE_ID: "Store 42" }, /^STORE_ID: /],
    [
      { BRIDGE_URL: "mqtt://c:1883", BRIDGE_TOPICS: "store/#", STORE_ID: "store042", BRIDGE_OUTBOX_POLICY: "keep" },
      /^BRIDGE_OUTBOX_POLICY: /,
    ],
  ])("names the variable for %j", (env, message) => {
    expect(() => loadBrokerConfig(env)).toThrow(message);
  });
});
