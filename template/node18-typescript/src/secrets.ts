import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_SECRET_MOUNT_PATH } from "./config.js";

/** A secret the function asked for is not mounted. The message names the secret and the file, never a value. */
export class SecretNotFoundError extends Error {
  constructor(
    readonly secretName: string,
    readonly file: string,
  ) {
    super(
      `secret "${secretName}" not found at ${file}: add it to the function's "secrets" in stack.yml ` +
        `(faas-cli secret create ${secretName}), or set secret_mount_path to the folder that holds it`,
    );
    this.name = "SecretNotFoundError";
  }
}

export interface SecretOptions {
  /** The folder secrets are mounted in; defaults to `secret_mount_path`, else /var/openfaas/secrets. */
  mountPath?: string;
}

/** Reads secret `name` as OpenFaaS mounts it, without the trailing newline `echo` leaves in secret files. */
export async function readSecret(name: string, options: SecretOptions = {}): Promise<string> {
  const file = secretFile(name, options);
  try {
    return trimTrailingNewline(await readFile(file, "utf8"));
  } catch (error) {
    throw asSecretError(error, name, file);
  }
}

/** `readSecret` for start-up code that cannot await. */
export function readSecretSync(name: string, options: SecretOptions = {}): string {
  const file = secretFile(name, options);
  try {
    return trimTrailingNewline(readFileSync(file, "utf8"));
  } catch (error) {
    throw asSecretError(error, name, file);
  }
}

function secretFile(name: string, options: SecretOptions): string {
  // Secret names are Kubernetes object names: no slashes, so no way out of the mount folder.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new TypeError(`invalid secret name "${name}": use letters, digits, ".", "_" and "-"`);
  }
  const folder = options.mountPath ?? (process.env.secret_mount_path?.trim() || DEFAULT_SECRET_MOUNT_PATH);
  return join(folder, name);
}

function trimTrailingNewline(text: string): string {
  return text.replace(/\r?\n$/, "");
}

function asSecretError(error: unknown, name: string, file: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") return new SecretNotFoundError(name, file);
  return new Error(`secret "${name}" could not be read from ${file}: ${code ?? "unknown error"}`);
}
