import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Password hashes as the users file stores them: `scrypt$N$r$p$saltBase64$keyBase64`. The parameters travel
 * with each hash, so a later change of the defaults still verifies the hashes written before it.
 * Defaults: N=16384, r=8, p=1 (about 50 ms of one core), a random 16-byte salt, a 32-byte key.
 */
export const SCRYPT_DEFAULTS = { N: 16_384, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;

/** Generated passwords: 24 random bytes, base64url (32 characters, nothing a shell or a URL mangles). */
const GENERATED_PASSWORD_BYTES = 24;

interface ParsedHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

/** 16× what the defaults use (16 MiB): room for stronger parameters, not for a file that asks for gigabytes. */
const MAX_SCRYPT_MEMORY_BYTES = 256 * 1024 * 1024;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DECIMAL = /^[1-9][0-9]{0,9}$/;

function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64");
  // Buffer.from silently skips what it cannot decode; a hash that does not round-trip was damaged.
  return bytes.toString("base64") === text ? bytes : undefined;
}

/**
 * Parses a stored hash, or undefined when it is not one we can verify. The bounds keep a damaged or hostile
 * users file from making one verification cost gigabytes of memory or minutes of CPU.
 */
function parseHash(encoded: string): ParsedHash | undefined {
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const [, nText = "", rText = "", pText = "", saltText = "", keyText = ""] = parts;
  if (![nText, rText, pText].every((text) => DECIMAL.test(text))) return undefined;
  const N = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  const isPowerOfTwo = (N & (N - 1)) === 0;
  const memoryBytes = 128 * N * r;
  if (!isPowerOfTwo || N < 1024 || r > 32 || p > 16 || memoryBytes > MAX_SCRYPT_MEMORY_BYTES) return undefined;
  const salt = decodeBase64(saltText);
  const key = decodeBase64(keyText);
  if (salt === undefined || key === undefined || salt.length < 16 || key.length < 16 || key.length > 64) {
    return undefined;
  }
  return { N, r, p, salt, key };
}

export function isPasswordHash(encoded: string): boolean {
  return parseHash(encoded) !== undefined;
}

function derive(password: Buffer, salt: Buffer, keyBytes: number, options: ScryptOptions): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; node's default ceiling (32 MiB) would refuse larger parameters we accept.
  const maxmem = 128 * (options.N ?? 1) * (options.r ?? 1) + 1024 * 1024;
  // The asynchronous scrypt runs on libuv's thread pool: verifying a password never blocks the event loop.
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyBytes, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: Buffer): Promise<string> {
  const { N, r, p, saltBytes, keyBytes } = SCRYPT_DEFAULTS;
  const salt = randomBytes(saltBytes);
  const key = await derive(password, salt, keyBytes, { N, r, p });
  return ["scrypt", N, r, p, salt.toString("base64"), key.toString("base64")].join("$");
}

/**
 * Stands in for a missing or unusable hash. Verifying against it costs what a real verification costs, so an
 * unknown username takes as long to refuse as a wrong password; it never matches (checked by identity, not by
 * hoping no password derives 32 zero bytes).
 */
const UNUSABLE: ParsedHash = {
  N: SCRYPT_DEFAULTS.N,
  r: SCRYPT_DEFAULTS.r,
  p: SCRYPT_DEFAULTS.p,
  salt: Buffer.alloc(SCRYPT_DEFAULTS.saltBytes),
  key: Buffer.alloc(SCRYPT_DEFAULTS.keyBytes),
};

/**
 * Whether `password` matches the stored hash. The comparison takes the same time wherever the keys differ
 * (timingSafeEqual), and a missing hash (`undefined`: no such user) or an unparseable one still costs a full
 * derivation, so neither the time nor an error tells a caller more than "no".
 */
export async function verifyPassword(password: Buffer, encoded: string | undefined): Promise<boolean> {
  const parsed = (encoded === undefined ? undefined : parseHash(encoded)) ?? UNUSABLE;
  const derived = await derive(password, parsed.salt, parsed.key.length, { N: parsed.N, r: parsed.r, p: parsed.p });
  return timingSafeEqual(derived, parsed.key) && parsed !== UNUSABLE;
}

export function generatePassword(): string {
  return randomBytes(GENERATED_PASSWORD_BYTES).toString("base64url");
}
