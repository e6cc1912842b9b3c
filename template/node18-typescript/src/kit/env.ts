import { ConfigError } from "../config.js";
import { parseByteSize, parseDurationMs } from "../units.js";

/** The process environment, or a plain object in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Readers for a function's own configuration. Each returns the default when the variable is unset or
 * empty, and throws a ConfigError naming the variable when its value cannot be used, so a bad value
 * stops the function at its first request with a message an operator can act on.
 */
export function envString(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

export function envOptional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function envNumber(env: Env, name: string, fallback: number, bounds: Bounds = {}): number {
  const text = envOptional(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new ConfigError(name, `expected a number, got "${text}"`);
  return checkBounds(name, value, bounds);
}

export function envInteger(env: Env, name: string, fallback: number, bounds: Bounds = {}): number {
  const value = envNumber(env, name, fallback, bounds);
  if (!Number.isInteger(value)) throw new ConfigError(name, `expected a whole number, got ${value}`);
  return value;
}

/** An absolute http(s) URL, or undefined when unset. */
export function envUrl(env: Env, name: string): string | undefined {
  const text = envOptional(env, name);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(name, "expected an absolute http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(name, `expected an http(s) URL, got the scheme ${url.protocol}`);
  }
  return url.href;
}

/** An IANA time zone name such as `Europe/Paris`, checked against the runtime's ICU data. */
export function envTimeZone(env: Env, name: string, fallback: string): string {
  const zone = envString(env, name, fallback);
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    throw new ConfigError(name, `unknown time zone "${zone}"`);
  }
  return zone;
}

export function envChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const value = envString(env, name, fallback);
  const match = choices.find((choice) => choice.toLowerCase() === value.toLowerCase());
  if (!match) throw new ConfigError(name, `expected one of ${choices.join(", ")}, got "${value}"`);
  return match;
}

/** A duration as of-watchdog reads it (`"15s"`, `"1m30s"`, or `15` = seconds), in milliseconds. */
export function envDuration(env: Env, name: string, fallback: string, bounds: Bounds = {}): number {
  const text = envString(env, name, fallback);
  const ms = parseDurationMs(text);
  if (ms === undefined)
    throw new ConfigError(name, `expected a duration such as "15s", "2m" or "500ms", got "${text}"`);
  return checkBounds(name, ms, bounds);
}

/** A size as body-parser reads it (`"100kb"`, `"8mb"`, or a number of bytes), in bytes. */
export function envByteSize(env: Env, name: string, fallback: string, bounds: Bounds = {}): number {
  const text = envString(env, name, fallback);
  const bytes = parseByteSize(text);
  if (bytes === undefined) throw new ConfigError(name, `expected a size such as "256kb" or "8mb", got "${text}"`);
  return checkBounds(name, bytes, bounds);
}

export interface Bounds {
  min?: number;
  max?: number;
}

function checkBounds(name: string, value: number, { min, max }: Bounds): number {
  if (min !== undefined && value < min) throw new ConfigError(name, `must be at least ${min}, got ${value}`);
  if (max !== undefined && value > max) throw new ConfigError(name, `must be at most ${max}, got ${value}`);
  return value;
}

export { ConfigError };
