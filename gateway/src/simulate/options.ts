import { parseDurationMs } from "./duration.js";

/** What `coffee-edge simulate` was asked to do, every value checked. */
export interface SimulateOptions {
  readonly help: boolean;
  readonly stores: number;
  /** Messages per second for the whole simulation. */
  readonly rate: number;
  readonly fridges: number;
  readonly machines: number;
  readonly broker: string;
  readonly username?: string;
  readonly passwordFile?: string;
  /** `--credentials DIR`: one connection per store, as `sensor-<store>` with the password in `DIR/sensor-<store>`. */
  readonly credentialsDir?: string;
  readonly durationMs?: number;
  readonly count?: number;
  /** Undefined: the command picks one and prints it, so any run can be replayed. */
  readonly seed?: number;
  /** 0 = never; see the usage text for what each "every" counts. */
  readonly warmEvery: number;
  readonly warmDurationMs: number;
  readonly duplicateEvery: number;
  readonly malformedEvery: number;
  readonly qos: 0 | 1;
}

/** A bad option or environment variable; `option` names it (`--rate`, `MQTT_PORT`). */
export class SimulateOptionError extends Error {
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`${option}: ${problem}`);
    this.name = "SimulateOptionError";
  }
}

export const DEFAULTS = {
  stores: 3,
  rate: 2,
  fridges: 2,
  machines: 1,
  mqttPort: 1883,
  // A warm episode soon after start (≈20 s at the default rate), so a user sees the fridge path without waiting.
  warmEvery: 40,
  // Six minutes: above the fridge function's default SUSTAIN_SECONDS (300), so the breach turns into a warning.
  warmDuration: "6m",
  duplicateEvery: 15,
  malformedEvery: 25,
  qos: 1,
} as const;

const MAX_STORES = 999; // store ids have three digits: store001…store999
const MAX_SENSORS_PER_STORE = 50;
const MAX_RATE = 10_000;
const MAX_EVERY = 1_000_000;
const MAX_SEED = 0xffff_ffff;
const BROKER_SCHEMES = ["mqtt:", "mqtts:", "tcp:", "ssl:", "ws:", "wss:"];

const VALUE_OPTIONS = [
  "--stores",
  "--rate",
  "--fridges",
  "--machines",
  "--broker",
  "--username",
  "--password-file",
  "--credentials",
  "--duration",
  "--count",
  "--seed",
  "--warm-every",
  "--warm-duration",
  "--duplicate-every",
  "--malformed-every",
  "--qos",
] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

/**
 * Reads the command line of `coffee-edge simulate` (`--name value` or `--name=value`) and the environment
 * (`MQTT_PORT`, only when `--broker` is not given). Pure: it reads no file (the password file is read by the
 * command). Throws a SimulateOptionError naming the first bad option.
 */
export function parseSimulateOptions(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): SimulateOptions {
  const { values, help } = splitArgs(args);
  const text = (name: ValueOption): string | undefined => values.get(name);

  const fridges = integerOption("--fridges", text("--fridges"), DEFAULTS.fridges, 0, MAX_SENSORS_PER_STORE);
  const machines = integerOption("--machines", text("--machines"), DEFAULTS.machines, 0, MAX_SENSORS_PER_STORE);
  if (fridges + machines === 0) {
    throw new SimulateOptionError("--fridges", "a store needs at least one fridge or espresso machine");
  }
  const username = nonEmptyOption("--username", text("--username"));
  const passwordFile = nonEmptyOption("--password-file", text("--password-file"));
  if (passwordFile !== undefined && username === undefined) {
    throw new SimulateOptionError("--password-file", "needs --username too (MQTT sends a password only with a name)");
  }
  const credentialsDir = nonEmptyOption("--credentials", text("--credentials"));
  if (credentialsDir !== undefined && username !== undefined) {
    throw new SimulateOptionError("--credentials", "takes one user per store: give it or --username, not both");
  }
  const durationText = text("--duration");
  const countText = text("--count");
  const seedText = text("--seed");
  return {
    help,
    stores: integerOption("--stores", text("--stores"), DEFAULTS.stores, 1, MAX_STORES),
    rate: rateOption(text("--rate")),
    fridges,
    machines,
    broker: brokerOption(text("--broker"), env),
    ...(username === undefined ? {} : { username }),
    ...(passwordFile === undefined ? {} : { passwordFile }),
    ...(credentialsDir === undefined ? {} : { credentialsDir }),
    ...(durationText === undefined ? {} : { durationMs: durationOption("--duration", durationText) }),
    ...(countText === undefined ? {} : { count: integerOption("--count", countText, 0, 1, Number.MAX_SAFE_INTEGER) }),
    ...(seedText === undefined ? {} : { seed: integerOption("--seed", seedText, 0, 0, MAX_SEED) }),
    warmEvery: integerOption("--warm-every", text("--warm-every"), DEFAULTS.warmEvery, 0, MAX_EVERY),
    warmDurationMs: durationOption("--warm-duration", text("--warm-duration") ?? DEFAULTS.warmDuration),
    duplicateEvery: integerOption(
      "--duplicate-every",
      text("--duplicate-every"),
      DEFAULTS.duplicateEvery,
      0,
      MAX_EVERY,
    ),
    malformedEvery: integerOption(
      "--malformed-every",
      text("--malformed-every"),
      DEFAULTS.malformedEvery,
      0,
      MAX_EVERY,
    ),
    qos: qosOption(text("--qos")),
  };
}

function splitArgs(args: readonly string[]): { values: Map<ValueOption, string>; help: boolean } {
  const values = new Map<ValueOption, string>();
  let help = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--")) throw new SimulateOptionError(arg, "unexpected argument (options start with --)");
    const equals = arg.indexOf("=");
    const name = equals === -1 ? arg : arg.slice(0, equals);
    if (!isValueOption(name)) throw new SimulateOptionError(name, "unknown option");
    let value: string | undefined;
    if (equals !== -1) {
      value = arg.slice(equals + 1);
    } else {
      value = args[index + 1];
      if (value === undefined || value.startsWith("--")) throw new SimulateOptionError(name, "needs a value");
      index++;
    }
    if (values.has(name)) throw new SimulateOptionError(name, "given more than once");
    values.set(name, value);
  }
  return { values, help };
}

function isValueOption(name: string): name is ValueOption {
  return (VALUE_OPTIONS as readonly string[]).includes(name);
}

function integerOption(option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new SimulateOptionError(option, `expected a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function rateOption(text: string | undefined): number {
  if (text === undefined) return DEFAULTS.rate;
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(value > 0 && value <= MAX_RATE)) {
    throw new SimulateOptionError(
      "--rate",
      `expected messages per second above 0 and at most ${MAX_RATE}, got "${text}"`,
    );
  }
  return value;
}

function durationOption(option: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) {
    throw new SimulateOptionError(option, `expected a duration such as 30s, 5m or 1h30m, got "${text}"`);
  }
  return ms;
}

function nonEmptyOption(option: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === "") throw new SimulateOptionError(option, "must not be empty");
  return text;
}

function qosOption(text: string | undefined): 0 | 1 {
  if (text === undefined) return DEFAULTS.qos;
  if (text === "0") return 0;
  if (text === "1") return 1;
  throw new SimulateOptionError("--qos", `expected 0 or 1, got "${text}"`);
}

function brokerOption(text: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  if (text === undefined) return `mqtt://127.0.0.1:${mqttPort(env)}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SimulateOptionError("--broker", "expected a URL such as mqtt://127.0.0.1:1883");
  }
  if (!BROKER_SCHEMES.includes(url.protocol)) {
    throw new SimulateOptionError(
      "--broker",
      `expected an mqtt://, mqtts://, ws:// or wss:// URL, got ${url.protocol}//…`,
    );
  }
  return text;
}

function mqttPort(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.MQTT_PORT?.trim();
  if (!text) return DEFAULTS.mqttPort;
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(Number.isInteger(port) && port >= 1 && port <= 65_535)) {
    throw new SimulateOptionError("MQTT_PORT", `expected a port from 1 to 65535, got "${text}"`);
  }
  return port;
}
