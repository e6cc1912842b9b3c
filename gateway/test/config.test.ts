import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../src/config.js";

describe("loadGatewayConfig", () => {
  it("has the defaults the README gives", () => {
    expect(loadGatewayConfig({}, "/repo")).toEqual({
      gatewayPort: 8080,
      gatewayHost: "127.0.0.1",
      mqttPort: 1883,
      mqttBroker: "auto",
      dataDir: path.resolve("/repo", ".coffee-edge"),
      maxAsyncBodyBytes: 8 * 1024 * 1024,
      asyncConcurrency: 4,
      asyncMaxAttempts: 10,
      asyncRetryMinMs: 1000,
      asyncRetryMaxMs: 60_000,
      callbackTimeoutMs: 30_000,
      coldStartTimeoutMs: 60_000,
      scaleDownWindowMs: 30_000,
      drainTimeoutMs: 30_000,
    });
  });

  it("resolves DATA_DIR against the working directory", () => {
    expect(loadGatewayConfig({ DATA_DIR: "state" }, "/srv/edge").dataDir).toBe("/srv/edge/state");
    expect(loadGatewayConfig({ DATA_DIR: "/var/lib/edge" }, "/srv/edge").dataDir).toBe("/var/lib/edge");
  });

  it.each([
    [{ GATEWAY_PORT: "80800" }, /^GATEWAY_PORT: must be at most 65535/],
    [{ MQTT_PORT: "x" }, /^MQTT_PORT: expected a number/],
    [{ MAX_ASYNC_BODY_SIZE: "huge" }, /^MAX_ASYNC_BODY_SIZE: expected a size/],
    [{ ASYNC_CONCURRENCY: "0" }, /^ASYNC_CONCURRENCY: must be at least 1/],
    [{ ASYNC_RETRY_MIN: "5s", ASYNC_RETRY_MAX: "1s" }, /^ASYNC_RETRY_MAX: must be at least ASYNC_RETRY_MIN/],
    [{ COLD_START_TIMEOUT: "forever" }, /^COLD_START_TIMEOUT: expected a duration/],
    [{ MQTT_BROKER: "mosquitto" }, /^MQTT_BROKER: expected one of auto, embedded, external/],
  ])("names the variable when %j cannot be used", (env, message) => {
    expect(() => loadGatewayConfig(env, "/repo")).toThrow(message);
  });
});
