import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Remembers, for a while, which password last verified for each username, so a reconnect storm (a store's
 * sensors all coming back after a network cut) costs one scrypt derivation per sensor, not one per attempt.
 *
 * An entry holds a keyed digest of the password (HMAC-SHA256 under a key that lives only in this process, so
 * a memory dump does not hand out a fast offline-guessable hash) and the stored hash it was verified against.
 * It only counts while the user's stored hash is still that one: a password change or a removal invalidates it
 * by itself, and `retain` drops such entries when the users file is reloaded. Failures are never remembered.
 */
export interface VerifiedPasswordCache {
  /** Whether this password verified for this user, against this stored hash, less than the time-to-live ago. */
  matches(username: string, password: Buffer, storedHash: string): boolean;
  remember(username: string, password: Buffer, storedHash: string): void;
  /** Keeps only the entries whose stored hash is still the user's current one. */
  retain(currentHashOf: (username: string) => string | undefined): void;
  readonly size: number;
}

export interface VerifiedPasswordCacheOptions {
  readonly ttlMs: number;
  readonly now?: () => number;
}

interface Entry {
  readonly digest: Buffer;
  readonly storedHash: string;
  readonly expiresAt: number;
}

export function createVerifiedPasswordCache({
  ttlMs,
  now = Date.now,
}: VerifiedPasswordCacheOptions): VerifiedPasswordCache {
  const processKey = randomBytes(32);
  const digestOf = (password: Buffer): Buffer => createHmac("sha256", processKey).update(password).digest();
  // One entry per username: the cache never outgrows the users file.
  const entries = new Map<string, Entry>();

  return {
    matches(username, password, storedHash) {
      const entry = entries.get(username);
      if (entry === undefined) return false;
      if (entry.storedHash !== storedHash || entry.expiresAt <= now()) {
        entries.delete(username);
        return false;
      }
      return timingSafeEqual(entry.digest, digestOf(password));
    },

    remember(username, password, storedHash) {
      if (ttlMs <= 0) return;
      entries.set(username, { digest: digestOf(password), storedHash, expiresAt: now() + ttlMs });
    },

    retain(currentHashOf) {
      for (const [username, entry] of entries) {
        if (currentHashOf(username) !== entry.storedHash) entries.delete(username);
      }
    },

    get size() {
      return entries.size;
    },
  };
}
