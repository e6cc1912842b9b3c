import type { BrokerUser } from "./broker-user.js";
import { isPasswordHash } from "./password-hash.js";
import { UserRefusedError, UsersFileError } from "./user-errors.js";
import { validatedUser } from "./user-rules.js";

/**
 * The users file, version 1:
 *   { "version": 1, "users": [{ "username": "s1", "role": "sensor", "store": "store042", "hash": "scrypt$…" }] }
 * Read strictly: an entry the CLI would refuse, a duplicate name or a hash we cannot verify makes the whole file
 * unreadable, rather than quietly leaving a user out or letting one in.
 */
export const USERS_FILE_VERSION = 1;

export interface StoredUser {
  readonly user: BrokerUser;
  readonly hash: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseEntry(file: string, entry: unknown, where: string): StoredUser {
  if (!isObject(entry)) throw new UsersFileError(file, `${where} is not an object`);
  const { username, role, store, hash } = entry;
  if (typeof username !== "string") throw new UsersFileError(file, `${where}.username is not a string`);
  if (typeof role !== "string") throw new UsersFileError(file, `${where}.role is not a string`);
  if (store !== undefined && typeof store !== "string")
    throw new UsersFileError(file, `${where}.store is not a string`);
  if (typeof hash !== "string" || !isPasswordHash(hash)) {
    throw new UsersFileError(file, `${where}.hash is not a scrypt hash (scrypt$N$r$p$salt$key)`);
  }
  try {
    return { user: validatedUser(username, role, store), hash };
  } catch (error) {
    if (error instanceof UserRefusedError) throw new UsersFileError(file, `${where}: ${error.message}`);
    throw error;
  }
}

export function parseUsersFile(file: string, text: string): StoredUser[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the surrounding text, which may be a hash.
    throw new UsersFileError(file, "not valid JSON");
  }
  if (!isObject(document)) throw new UsersFileError(file, "not a JSON object");
  if (document.version !== USERS_FILE_VERSION) {
    throw new UsersFileError(file, `unsupported version (expected "version": ${USERS_FILE_VERSION})`);
  }
  if (!Array.isArray(document.users)) throw new UsersFileError(file, `"users" is not an array`);
  const seen = new Set<string>();
  return document.users.map((entry: unknown, index) => {
    const stored = parseEntry(file, entry, `users[${index}]`);
    if (seen.has(stored.user.username)) {
      throw new UsersFileError(file, `users[${index}]: a second user named ${JSON.stringify(stored.user.username)}`);
    }
    seen.add(stored.user.username);
    return stored;
  });
}

export function serializeUsersFile(users: readonly StoredUser[]): string {
  const entries = users.map(({ user, hash }) => ({
    username: user.username,
    role: user.role,
    ...(user.store === undefined ? {} : { store: user.store }),
    hash,
  }));
  return `${JSON.stringify({ version: USERS_FILE_VERSION, users: entries }, null, 2)}\n`;
}
