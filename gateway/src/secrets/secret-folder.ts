import { randomBytes } from "node:crypto";
import {
  chmodSync,
  constants,
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
} from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "./atomic-file.js";
import { ReservedSecretError, SecretNameError } from "./secret-errors.js";
import { isReservedSecretName, isSecretName, type ReservedSecretName } from "./secret-name.js";

const FOLDER_MODE = 0o700;
const SECRET_MODE = 0o600;
/** A replica reads its secrets and has no reason to change them. */
const MOUNTED_SECRET_MODE = 0o400;

const GATEWAY_USER_SECRET: ReservedSecretName = "basic-auth-user";
const GATEWAY_PASSWORD_SECRET: ReservedSecretName = "basic-auth-password";
const DEFAULT_GATEWAY_USER = "admin";

export interface GatewayCredentialFiles {
  readonly user: string;
  readonly userFile: string;
  readonly passwordFile: string;
  /** True when this call wrote either file (first start): the banner tells the user where the password is. */
  readonly created: boolean;
}

/**
 * `$DATA_DIR/secrets`: one file per secret, named after it, mode 0600, in a 0700 folder. Holds the functions'
 * secrets and the gateway's own credentials; the methods below that take a secret name refuse the reserved ones
 * (ReservedSecretError) and names that are not Kubernetes secret names (SecretNameError).
 * Values are never logged and never part of an error message.
 */
export interface SecretFolder {
  readonly dir: string;
  /** Function secrets, sorted; never the reserved ones. */
  list(): string[];
  /** Whether a function secret of that name exists (false for reserved or invalid names). */
  has(name: string): boolean;
  create(name: string, value: Buffer): "created" | "exists";
  update(name: string, value: Buffer): "updated" | "missing";
  remove(name: string): "removed" | "missing";
  /** Creates each missing secret with a random value (32 bytes, base64url); returns the names it generated. */
  ensureSecrets(names: readonly string[]): string[];
  /**
   * Makes `targetDir` the folder a replica sees as its secret mount (OpenFaaS: /var/openfaas/secrets/<name>):
   * emptied and recreated (0700), holding read-only copies (0400) of exactly the named secrets.
   * Missing secrets are reported, not fatal; reserved or invalid names throw before anything is touched.
   */
  mount(names: readonly string[], targetDir: string): { missing: string[] };
  /** First start: writes `basic-auth-user` (admin) and a random `basic-auth-password`. Later: reuses them. */
  ensureGatewayCredentials(): GatewayCredentialFiles;
  /** The credentials, trimmed as faas-provider trims its secret files. Throws (without the value) if unusable. */
  readGatewayCredentials(): { user: string; password: string };
}

export function openSecretFolder(dir: string): SecretFolder {
  mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
  // mkdir honours the umask and leaves an existing folder as it was: set the mode we promise.
  chmodSync(dir, FOLDER_MODE);

  const fileOf = (name: string): string => path.join(dir, name);

  const exists = (name: string): boolean => {
    try {
      return lstatSync(fileOf(name)).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  };

  const checkUsable = (name: string): void => {
    if (!isSecretName(name)) throw new SecretNameError();
    if (isReservedSecretName(name)) throw new ReservedSecretError(name);
  };

  const create = (name: string, value: Buffer): "created" | "exists" => {
    checkUsable(name);
    return writeFileAtomic(dir, name, value, SECRET_MODE, false) ? "created" : "exists";
  };

  const readTrimmed = (name: string): string => {
    const file = fileOf(name);
    let text: string;
    try {
      text = readFileSync(file, "utf8").trim();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
      throw new Error(`cannot read the gateway credential file ${file} (${code})`);
    }
    if (text === "") throw new Error(`the gateway credential file ${file} is empty`);
    return text;
  };

  return {
    dir,

    list() {
      return readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isFile() && isSecretName(entry.name) && !isReservedSecretName(entry.name))
        .map((entry) => entry.name)
        .sort();
    },

    has(name) {
      return isSecretName(name) && !isReservedSecretName(name) && exists(name);
    },

    create,

    update(name, value) {
      checkUsable(name);
      if (!exists(name)) return "missing";
      writeFileAtomic(dir, name, value, SECRET_MODE, true);
      return "updated";
    },

    remove(name) {
      checkUsable(name);
      try {
        unlinkSync(fileOf(name));
        return "removed";
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
        throw error;
      }
    },

    ensureSecrets(names) {
      const unique = [...new Set(names)];
      for (const name of unique) checkUsable(name);
      return unique.filter((name) => !exists(name) && create(name, randomValue()) === "created");
    },

    mount(names, targetDir) {
      const unique = [...new Set(names)];
      for (const name of unique) checkUsable(name);
      const target = path.resolve(targetDir);
      const fromTargetToFolder = path.relative(target, path.resolve(dir));
      if (!fromTargetToFolder.startsWith("..") && !path.isAbsolute(fromTargetToFolder)) {
        // Emptying the target would empty the secret folder itself.
        throw new Error(`refusing to mount secrets into ${target}: it holds the secret folder`);
      }
      rmSync(target, { recursive: true, force: true });
      mkdirSync(target, { recursive: true, mode: FOLDER_MODE });
      chmodSync(target, FOLDER_MODE);
      const missing: string[] = [];
      for (const name of unique) {
        if (!exists(name)) {
          missing.push(name);
          continue;
        }
        const copy = path.join(target, name);
        copyFileSync(fileOf(name), copy, constants.COPYFILE_EXCL);
        chmodSync(copy, MOUNTED_SECRET_MODE);
      }
      return { missing };
    },

    ensureGatewayCredentials() {
      const createIfMissing = (name: ReservedSecretName, value: () => Buffer): boolean =>
        !exists(name) && writeFileAtomic(dir, name, value(), SECRET_MODE, false);
      const userCreated = createIfMissing(GATEWAY_USER_SECRET, () => Buffer.from(DEFAULT_GATEWAY_USER));
      const passwordCreated = createIfMissing(GATEWAY_PASSWORD_SECRET, randomValue);
      return {
        user: readTrimmed(GATEWAY_USER_SECRET),
        userFile: fileOf(GATEWAY_USER_SECRET),
        passwordFile: fileOf(GATEWAY_PASSWORD_SECRET),
        created: userCreated || passwordCreated,
      };
    },

    readGatewayCredentials() {
      return { user: readTrimmed(GATEWAY_USER_SECRET), password: readTrimmed(GATEWAY_PASSWORD_SECRET) };
    },
  };
}

/** 32 random bytes as base64url: 43 characters, no padding, no trailing newline, safe in a header or shell. */
function randomValue(): Buffer {
  return Buffer.from(randomBytes(32).toString("base64url"));
}
