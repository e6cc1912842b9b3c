import { closeSync, fstatSync, openSync, readFileSync, statSync } from "node:fs";
import { type FileVersion, sameVersion, writeFileAtomic } from "./atomic-write.js";
import type { BrokerUser } from "./broker-user.js";
import { generatePassword, hashPassword, verifyPassword } from "./password-hash.js";
import { UserRefusedError, UsersFileError } from "./user-errors.js";
import { validatedUser } from "./user-rules.js";
import { parseUsersFile, type StoredUser, serializeUsersFile } from "./users-file-format.js";
import { createVerifiedPasswordCache } from "./verified-password-cache.js";

export type { BrokerUser } from "./broker-user.js";
export { UserRefusedError, UsersFileError } from "./user-errors.js";

const FILE_MODE = 0o600;
/** A password set by a caller (not generated) guards a machine account: no short ones. */
const MIN_PASSWORD_BYTES = 16;
const DEFAULT_CACHE_TTL_MS = 10 * 60_000;

/**
 * The broker's users (`DATA_DIR/users.json` or `BROKER_USERS_FILE`), shared by the running broker and the
 * `edge-broker user` command. Every read first checks, with one stat, whether the file changed since it was
 * last read (another process ran `edge-broker user add`, say) and re-reads it if so; every change re-reads the
 * file, applies itself and replaces the file atomically (mode 0600), so two processes do not undo each other's
 * changes (one writer at a time is still assumed: there is no lock).
 */
export interface UsersFile {
  readonly path: string;
  /**
   * The user whose password this is, or undefined. Costs one scrypt derivation (~50 ms of a pool thread, never
   * the event loop), also for an unknown username; a password that verified recently costs a hash lookup.
   */
  authenticate(username: string, password: Buffer): Promise<BrokerUser | undefined>;
  /** The users in file order, without their hashes. */
  list(): BrokerUser[];
  /**
   * Adds a user with a generated password (24 random bytes, base64url) and returns that password: the only
   * time it exists in clear. Throws UserRefusedError for an existing or invalid name, an invalid role, a sensor
   * without a store, a store id that is not a valid topic level, or a store given to a role that takes none.
   */
  add(username: string, role: string, store?: string): Promise<string>;
  /** Replaces a user's password (at least 16 bytes). Throws UserRefusedError for an unknown user. */
  setPassword(username: string, password: Buffer): Promise<void>;
  /** Whether there was such a user to remove. */
  remove(username: string): boolean;
  /** Re-reads the file now. Throws UsersFileError when it is unreadable; the users known before stay. */
  reload(): void;
}

export interface UsersFileOptions {
  /** How long a verified password is remembered (0 disables it). Default 10 minutes. */
  readonly cacheTtlMs?: number;
  readonly now?: () => number;
  /** The password check, replaceable so tests can count derivations. Default: scrypt, see password-hash.ts. */
  readonly verify?: (password: Buffer, storedHash: string | undefined) => Promise<boolean>;
  /**
   * Told when the file changed on disk but cannot be used (a half-done hand edit, say). The running broker keeps
   * the users it knew until the file is fixed. Default: a process warning on stderr.
   */
  readonly onReloadError?: (error: UsersFileError) => void;
}

interface Snapshot {
  readonly users: readonly StoredUser[];
  /** undefined: the file does not exist (no users yet). */
  readonly version: FileVersion | undefined;
}

/**
 * Opens the users file at `path` (it need not exist yet: it is created, in a 0700 folder, by the first change).
 * Throws UsersFileError when it exists but cannot be read or parsed.
 */
export function openUsersFile(path: string, options: UsersFileOptions = {}): UsersFile {
  const verify = options.verify ?? verifyPassword;
  const onReloadError =
    options.onReloadError ??
    ((error: UsersFileError) => process.emitWarning(error.message, { code: "EDGE_BROKER_USERS_FILE" }));
  const cache = createVerifiedPasswordCache({
    ttlMs: options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
    ...(options.now === undefined ? {} : { now: options.now }),
  });

  let users = new Map<string, StoredUser>();
  /** The version last read, usable or not, so a broken file is reported once, not on every connection. */
  let seenVersion: FileVersion | undefined;

  const apply = (snapshot: Snapshot): void => {
    users = new Map(snapshot.users.map((stored) => [stored.user.username, stored]));
    seenVersion = snapshot.version;
    cache.retain((username) => users.get(username)?.hash);
  };

  const reload = (): void => apply(readSnapshot(path));

  const refreshIfChanged = (): void => {
    if (sameVersion(currentVersion(path), seenVersion)) return;
    try {
      reload();
    } catch (error) {
      if (!(error instanceof UsersFileError)) throw error;
      seenVersion = error instanceof UnusableFileError ? error.version : currentVersion(path);
      onReloadError(error);
    }
  };

  /** Read the file afresh (strictly: never write over a file we could not read), change it, write it back. */
  const change = (edit: (current: StoredUser[]) => StoredUser[] | undefined): boolean => {
    const next = edit([...readSnapshot(path).users]);
    if (next === undefined) return false;
    apply({ users: next, version: writeOrExplain(path, serializeUsersFile(next)) });
    return true;
  };

  const refuseIfExists = (current: readonly StoredUser[], username: string): void => {
    if (current.some((stored) => stored.user.username === username)) {
      throw new UserRefusedError("exists", `a user named ${JSON.stringify(username)} already exists`);
    }
  };

  reload();

  return {
    path,

    async authenticate(username, password) {
      refreshIfChanged();
      const stored = users.get(username);
      if (stored !== undefined && cache.matches(username, password, stored.hash)) return stored.user;
      const verified = await verify(password, stored?.hash);
      if (!verified || stored === undefined) return undefined;
      // The file may have changed during the derivation: admit only a user still there with that same hash.
      refreshIfChanged();
      const current = users.get(username);
      if (current?.hash !== stored.hash) return undefined;
      cache.remember(username, password, stored.hash);
      return current.user;
    },

    list() {
      refreshIfChanged();
      return [...users.values()].map((stored) => stored.user);
    },

    async add(username, role, store) {
      const user = validatedUser(username, role, store);
      // Checked before the derivation for a quick answer, and again below against the file as it is then.
      refuseIfExists(readSnapshot(path).users, username);
      const password = generatePassword();
      const hash = await hashPassword(Buffer.from(password, "utf8"));
      change((current) => {
        refuseIfExists(current, username);
        return [...current, { user, hash }];
      });
      return password;
    },

    async setPassword(username, password) {
      if (password.length < MIN_PASSWORD_BYTES) {
        throw new UserRefusedError("weak-password", `a password needs at least ${MIN_PASSWORD_BYTES} bytes`);
      }
      const hash = await hashPassword(password);
      const changed = change((current) => {
        const index = current.findIndex((stored) => stored.user.username === username);
        const stored = current[index];
        if (stored === undefined) return undefined;
        current[index] = { user: stored.user, hash };
        return current;
      });
      if (!changed) throw new UserRefusedError("unknown-user", `no user named ${JSON.stringify(username)}`);
    },

    remove(username) {
      return change((current) => {
        const kept = current.filter((stored) => stored.user.username !== username);
        return kept.length === current.length ? undefined : kept;
      });
    },

    reload,
  };
}

/** A file that was read but is unusable, with the version read, so it is not read again until it changes. */
class UnusableFileError extends UsersFileError {
  constructor(
    file: string,
    problem: string,
    readonly version: FileVersion,
  ) {
    super(file, problem);
  }
}

function currentVersion(path: string): FileVersion | undefined {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats === undefined ? undefined : { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
  } catch {
    // Unreadable metadata (a folder without search permission): the read that follows explains it.
    return { ino: -1, size: -1, mtimeMs: -1 };
  }
}

/** The file's users and the version they come from (one open descriptor, so they cannot disagree). */
function readSnapshot(path: string): Snapshot {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { users: [], version: undefined };
    throw new UsersFileError(path, `cannot open it (${code ?? "unknown error"})`);
  }
  try {
    const { ino, size, mtimeMs } = fstatSync(fd);
    const version = { ino, size, mtimeMs };
    let text: string;
    try {
      text = readFileSync(fd, "utf8");
    } catch (error) {
      throw new UnusableFileError(path, `cannot read it (${(error as NodeJS.ErrnoException).code})`, version);
    }
    try {
      return { users: parseUsersFile(path, text), version };
    } catch (error) {
      if (error instanceof UsersFileError) throw new UnusableFileError(path, error.problem, version);
      throw error;
    }
  } finally {
    closeSync(fd);
  }
}

function writeOrExplain(path: string, content: string): FileVersion {
  try {
    return writeFileAtomic(path, content, FILE_MODE);
  } catch (error) {
    throw new UsersFileError(path, `cannot write it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
