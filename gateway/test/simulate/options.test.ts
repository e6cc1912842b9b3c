import { describe, expect, it } from "vitest";
import { parseDurationMs } from "../../src/simulate/duration.js";
import { parseSimulateOptions, SimulateOptionError } from "../../src/simulate/options.js";

function optionErrorOf(args: readonly string[], env: Record<string, string> = {}): SimulateOptionError {
  try {
    parseSimulateOptions(args, env);
  } catch (error) {
    if (error instanceof SimulateOptionError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(args)} to be refused`);
}

describe("parseSimulateOptions", () => {
  it("has the documented defaults", () => {
    expect(parseSimulateOptions([], {})).toEqual({
      help: false,
      stores: 3,
      rate: 2,
      fridges: 2,
      machines: 1,
      broker: "mqtt://127.0.0.1:1883",
      warmEvery: 40,
      warmDurationMs: 360_000,
      duplicateEvery: 15,
      malformedEvery: 25,
      qos: 1,
    });
  });

  it("reads every option, as `--name value` or `--name=value`", () => {
    const options = parseSimulateOptions(
      [
        "--stores",
        "12",
        "--rate=0.5",
        "--fridges",
        "0",
        "--machines=4",
        "--broker",
        "mqtts://broker.example:8883",
        "--username",
        "store012",
        "--password-file=/run/secrets/mqtt",
        "--duration",
        "1m30s",
        "--count",
        "500",
        "--seed",
        "4294967295",
        "--warm-every",
        "0",
        "--warm-duration=90s",
        "--duplicate-every",
        "7",
        "--malformed-every=11",
        "--qos",
        "0",
      ],
      {},
    );
    expect(options).toEqual({
      help: false,
      stores: 12,
      rate: 0.5,
      fridges: 0,
      machines: 4,
      broker: "mqtts://broker.example:8883",
      username: "store012",
      passwordFile: "/run/secrets/mqtt",
      durationMs: 90_000,
      count: 500,
      seed: 4_294_967_295,
      warmEvery: 0,
      warmDurationMs: 90_000,
      duplicateEvery: 7,
      malformedEvery: 11,
      qos: 0,
    });
  });

  it("takes the default broker's port from MQTT_PORT, and ignores MQTT_PORT when --broker is given", () => {
    expect(parseSimulateOptions([], { MQTT_PORT: "2883" }).broker).toBe("mqtt://127.0.0.1:2883");
    expect(parseSimulateOptions(["--broker", "mqtt://10.0.0.2:1883"], { MQTT_PORT: "nope" }).broker).toBe(
      "mqtt://10.0.0.2:1883",
    );
  });

  it.each([["--help"], ["-h"]])("%s asks for help", (flag) => {
    expect(parseSimulateOptions(["--stores", "2", flag], {}).help).toBe(true);
  });

  it.each([
    [["--stores", "0"], "--stores"],
    [["--stores", "1000"], "--stores"],
    [["--stores", "2.5"], "--stores"],
    [["--stores", "-1"], "--stores"],
    [["--rate", "0"], "--rate"],
    [["--rate", "fast"], "--rate"],
    [["--rate", "20000"], "--rate"],
    [["--fridges", "x"], "--fridges"],
    [["--fridges", "51"], "--fridges"],
    [["--machines", "-2"], "--machines"],
    [["--fridges", "0", "--machines", "0"], "--fridges"],
    [["--broker", "not a url"], "--broker"],
    [["--broker", "http://127.0.0.1:1883"], "--broker"],
    [["--username", " "], "--username"],
    [["--password-file", "/tmp/pw"], "--password-file"],
    [["--username", "u", "--password-file="], "--password-file"],
    [["--duration", "soon"], "--duration"],
    [["--duration", "0s"], "--duration"],
    [["--count", "0"], "--count"],
    [["--count", "1e3"], "--count"],
    [["--seed", "4294967296"], "--seed"],
    [["--seed", "abc"], "--seed"],
    [["--warm-every", "-1"], "--warm-every"],
    [["--warm-duration", "5 minutes"], "--warm-duration"],
    [["--duplicate-every", "0.5"], "--duplicate-every"],
    [["--malformed-every", "often"], "--malformed-every"],
    [["--qos", "2"], "--qos"],
    [["--stores"], "--stores"],
    [["--stores", "--rate", "3"], "--stores"],
    [["--rate", "1", "--rate", "2"], "--rate"],
    [["--verbose"], "--verbose"],
    [["--stores=3", "extra"], "extra"],
  ])("%j is refused, naming %s", (args, option) => {
    const error = optionErrorOf(args);
    expect(error.option).toBe(option);
    expect(error.message.startsWith(`${option}: `)).toBe(true);
  });

  it("refuses a bad MQTT_PORT by name when the default broker is used", () => {
    expect(optionErrorOf([], { MQTT_PORT: "70000" }).option).toBe("MQTT_PORT");
    expect(optionErrorOf([], { MQTT_PORT: "http" }).option).toBe("MQTT_PORT");
  });

  it("never repeats a broker URL that may hold a password", () => {
    const error = optionErrorOf(["--broker", "http://user:s3cret-pw@127.0.0.1:1883"]);
    expect(error.option).toBe("--broker");
    expect(error.message).not.toContain("s3cret-pw");
    expect(optionErrorOf(["--broker", "mqtt://user:s3cret-pw@[::1"]).message).not.toContain("s3cret-pw");
  });
});

describe("parseDurationMs", () => {
  it.each([
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["1.5s", 1500],
    ["45", 45_000],
  ])("reads %s as %i ms", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(["", "s", "5x", "1m 30s", "-5s", "5s!", "m5"])("refuses %j", (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });
});
