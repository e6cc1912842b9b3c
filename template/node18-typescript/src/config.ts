import { parseByteSize, parseDurationMs } from "./units.js";

/** Everything the shell reads from its environment, parsed and validated in this one place. */
export interface ShellConfig {
  /** `http_port`: where the shell listens for the watchdog (its `upstream_url`). */
  readonly httpPort: number;
  /** `RAW_BODY=true`: every body reaches the handler as a Buffer. */
  readonly rawBody: boolean;
  /** `MAX_JSON_SIZE`: limit for bodies parsed as JSON, text or form data. */
  readonly maxJsonBytes: number;
  /** `MAX_RAW_SIZE`: limit for bodies handed over as a Buffer. */
  readonly maxRawBytes: number;
  /** `write_timeout`: the watchdog's deadline; a SIGTERM drain must finish before it. */
  readonly writeTimeoutMs: number;
  /** `secret_mount_path`: where OpenFaaS mounts the function's secrets. */
  readonly secretMountPath: string;
  /** `OTEL_EXPORTER_OTLP_ENDPOINT` (or the traces-only variant): registers an OTLP trace exporter. */
  readonly otlpEndpoint: string | undefined;
  /** `FUNCTION_DIR`: the handler folder (its package.json `main` names the module); default `function/`. */
  readonly functionDir: string | undefined;
}

/** A configuration value that cannot be used; `main` turns it into one line and exit code 1. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = "ConfigError";
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_SECRET_MOUNT_PATH = "/var/openfaas/secrets";

/** Reads the shell's configuration from `env`; throws `ConfigError` naming the first bad variable. */
export function loadShellConfig(env: Env = process.env): ShellConfig {
  return {
    httpPort: readPort(env, "http_port", 3000),
    rawBody: readBoolean(env, "RAW_BODY"),
    maxJsonBytes: readSize(env, "MAX_JSON_SIZE", "100kb"),
    maxRawBytes: readSize(env, "MAX_RAW_SIZE", "100kb"),
    writeTimeoutMs: readDuration(env, "write_timeout", "30s"),
    secretMountPath: nonEmpty(env.secret_mount_path) ?? DEFAULT_SECRET_MOUNT_PATH,
    otlpEndpoint: readUrl(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ?? readUrl(env, "OTEL_EXPORTER_OTLP_ENDPOINT"),
    functionDir: nonEmpty(env.FUNCTION_DIR),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function readPort(env: Env, name: string, fallback: number): number {
  const text = nonEmpty(env[name]);
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new ConfigError(name, `expected a port number from 0 to 65535, got "${text}"`);
  }
  return port;
}

function readBoolean(env: Env, name: string): boolean {
  const text = nonEmpty(env[name]);
  if (text === undefined || text === "false") return false;
  if (text === "true") return true;
  throw new ConfigError(name, `expected "true" or "false", got "${text}"`);
}

function readSize(env: Env, name: string, fallback: string): number {
  const text = nonEmpty(env[name]) ?? fallback;
  const bytes = parseByteSize(text);
  if (bytes === undefined || bytes <= 0) {
    throw new ConfigError(name, `expected a size such as "100kb" or "5mb", got "${text}"`);
  }
  return bytes;
}

function readDuration(env: Env, name: string, fallback: string): number {
  const text = nonEmpty(env[name]) ?? fallback;
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) {
    throw new ConfigError(name, `expected a duration such as "15s" or a number of seconds, got "${text}"`);
  }
  return ms;
}

function readUrl(env: Env, name: string): string | undefined {
  const text = nonEmpty(env[name]);
  if (text === undefined) return undefined;
  try {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return text;
  } catch {
    // fall through to the error below
  }
  throw new ConfigError(name, `expected an http(s) URL, got "${text}"`);
}
