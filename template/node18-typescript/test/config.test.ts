import { describe, expect, it } from "vitest";
import { ConfigError, loadShellConfig } from "../src/config.js";
import { parseByteSize, parseDurationMs } from "../src/units.js";

describe("loadShellConfig", () => {
  const cases: Array<{
    name: string;
    env: Record<string, string>;
    expected: Partial<ReturnType<typeof loadShellConfig>>;
  }> = [
    {
      name: "defaults match OpenFaaS's node18 template and the watchdog",
      env: {},
      expected: {
        httpPort: 3000,
        rawBody: false,
        maxJsonBytes: 102400,
        maxRawBytes: 102400,
        writeTimeoutMs: 30000,
        secretMountPath: "/var/openfaas/secrets",
        otlpEndpoint: undefined,
      },
    },
    { name: "http_port", env: { http_port: "8081" }, expected: { httpPort: 8081 } },
    { name: "RAW_BODY=true", env: { RAW_BODY: "true" }, expected: { rawBody: true } },
    { name: "MAX_JSON_SIZE in mb", env: { MAX_JSON_SIZE: "5mb" }, expected: { maxJsonBytes: 5 * 1024 * 1024 } },
    { name: "MAX_RAW_SIZE in kb", env: { MAX_RAW_SIZE: "512kb" }, expected: { maxRawBytes: 512 * 1024 } },
    { name: "write_timeout as a duration", env: { write_timeout: "1m30s" }, expected: { writeTimeoutMs: 90000 } },
    { name: "write_timeout as seconds", env: { write_timeout: "15" }, expected: { writeTimeoutMs: 15000 } },
    {
      name: "secret_mount_path",
      env: { secret_mount_path: "/run/secrets" },
      expected: { secretMountPath: "/run/secrets" },
    },
    {
      name: "the traces endpoint wins over the generic one",
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b:4318/v1/traces",
      },
      expected: { otlpEndpoint: "http://b:4318/v1/traces" },
    },
  ];
  for (const { name, env, expected } of cases) {
    it(`reads ${name}`, () => {
      expect(loadShellConfig(env)).toMatchObject(expected);
    });
  }

  const invalid: Array<[string, Record<string, string>]> = [
    ["http_port", { http_port: "eighty" }],
    ["http_port", { http_port: "70000" }],
    ["RAW_BODY", { RAW_BODY: "yes" }],
    ["MAX_JSON_SIZE", { MAX_JSON_SIZE: "big" }],
    ["MAX_RAW_SIZE", { MAX_RAW_SIZE: "-1kb" }],
    ["write_timeout", { write_timeout: "soon" }],
    ["OTEL_EXPORTER_OTLP_ENDPOINT", { OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }],
  ];
  for (const [variable, env] of invalid) {
    it(`rejects ${JSON.stringify(env)}, naming ${variable}`, () => {
      expect(() => loadShellConfig(env)).toThrow(ConfigError);
      expect(() => loadShellConfig(env)).toThrow(new RegExp(`^${variable}: `));
    });
  }
});

describe("units", () => {
  it.each([
    ["100kb", 102400],
    ["5mb", 5242880],
    ["1gb", 1073741824],
    ["512", 512],
    ["1.5kb", 1536],
    ["5 MB", 5242880],
  ])("parseByteSize(%s) = %d", (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });
  it.each([
    ["10s", 10000],
    ["1m30s", 90000],
    ["500ms", 500],
    ["1h", 3600000],
    ["15", 15000],
  ])("parseDurationMs(%s) = %d", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });
  it.each(["", "abc", "10 s", "1.5", "s10"])("parseDurationMs(%j) is undefined", (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });
});
