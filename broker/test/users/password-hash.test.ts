import * as crypto from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  generatePassword,
  hashPassword,
  isPasswordHash,
  SCRYPT_DEFAULTS,
  verifyPassword,
} from "../../src/users/password-hash.js";

// Wrapped, not replaced: the real comparison still runs, and the test sees every call to it.
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});
const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);

afterEach(() => {
  timingSafeEqual.mockClear();
});

const password = Buffer.from("correct horse battery staple");

describe("hashPassword", () => {
  it("writes scrypt$N$r$p$salt$key with the default parameters, a 16-byte salt and a 32-byte key", async () => {
    const hash = await hashPassword(password);
    const parts = hash.split("$");
    expect(parts.slice(0, 4)).toEqual(["scrypt", "16384", "8", "1"]);
    expect(Buffer.from(parts[4] ?? "", "base64")).toHaveLength(SCRYPT_DEFAULTS.saltBytes);
    expect(Buffer.from(parts[5] ?? "", "base64")).toHaveLength(SCRYPT_DEFAULTS.keyBytes);
    expect(hash).not.toContain(password.toString());
    expect(isPasswordHash(hash)).toBe(true);
  });

  it("salts every hash: the same password hashes differently twice", async () => {
    const [first, second] = await Promise.all([hashPassword(password), hashPassword(password)]);
    expect(first).not.toBe(second);
    expect(first.split("$")[4]).not.toBe(second.split("$")[4]);
  });

  it("derives what node's scrypt derives for the stored salt and parameters", async () => {
    const [, , , , salt = "", key = ""] = (await hashPassword(password)).split("$");
    const expected = crypto.scryptSync(password, Buffer.from(salt, "base64"), 32, { N: 16_384, r: 8, p: 1 });
    expect(Buffer.from(key, "base64").equals(expected)).toBe(true);
  });
});

describe("verifyPassword", () => {
  it("accepts the right password and refuses a wrong one, comparing keys with timingSafeEqual both times", async () => {
    const hash = await hashPassword(password);
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword(Buffer.from("correct horse battery stapler"), hash)).toBe(false);
    expect(await verifyPassword(Buffer.alloc(0), hash)).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(3);
  });

  it("refuses, after a full derivation and comparison, when there is no hash (unknown user) or a broken one", async () => {
    const hash = await hashPassword(password);
    const [head = "", key = ""] = [hash.slice(0, hash.lastIndexOf("$")), hash.slice(hash.lastIndexOf("$") + 1)];
    const flipped = Buffer.from(key, "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const broken = [
      undefined,
      "",
      "plaintext",
      `${head}$${flipped.toString("base64")}`, // a damaged key: well-formed, never matches
      hash.replace("scrypt$", "bcrypt$"),
      hash.replace("$16384$", "$16383$"), // N not a power of two
      hash.replace("$16384$", "$1073741824$"), // N far too costly to verify
      `${head}$${key.slice(0, 20)}`, // a key cut to 15 bytes: too short to count as a hash
      `${head}$!!!!`,
    ];
    for (const candidate of broken) {
      expect(await verifyPassword(password, candidate)).toBe(false);
    }
    // Every refusal went through the same derivation and constant-time comparison as a real check.
    expect(timingSafeEqual).toHaveBeenCalledTimes(broken.length);
  });

  it("verifies hashes written with other parameters: they travel with each hash", async () => {
    const salt = crypto.randomBytes(16);
    const key = crypto.scryptSync(password, salt, 48, { N: 2048, r: 4, p: 2 });
    const hash = `scrypt$2048$4$2$${salt.toString("base64")}$${key.toString("base64")}`;
    expect(isPasswordHash(hash)).toBe(true);
    expect(await verifyPassword(password, hash)).toBe(true);
    expect(await verifyPassword(Buffer.from("other"), hash)).toBe(false);
  });
});

describe("generatePassword", () => {
  it("is 24 random bytes in base64url: 32 characters a shell or URL leaves alone, different every time", () => {
    const passwords = new Set(Array.from({ length: 50 }, generatePassword));
    expect(passwords.size).toBe(50);
    for (const generated of passwords) {
      expect(generated).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(Buffer.from(generated, "base64url")).toHaveLength(24);
    }
  });
});
