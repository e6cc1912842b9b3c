import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSecret, readSecretSync, SecretNotFoundError } from "../src/secrets.js";

const folder = mkdtempSync(join(tmpdir(), "secrets-"));
writeFileSync(join(folder, "payment-api-key"), "kiosk-key-value\n");
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("readSecret", () => {
  it("reads a secret from the mount folder without the trailing newline", async () => {
    expect(await readSecret("payment-api-key", { mountPath: folder })).toBe("kiosk-key-value");
    expect(readSecretSync("payment-api-key", { mountPath: folder })).toBe("kiosk-key-value");
  });

  it("uses secret_mount_path when no folder is given, else /var/openfaas/secrets", async () => {
    const before = process.env.secret_mount_path;
    process.env.secret_mount_path = folder;
    try {
      expect(await readSecret("payment-api-key")).toBe("kiosk-key-value");
    } finally {
      if (before === undefined) delete process.env.secret_mount_path;
      else process.env.secret_mount_path = before;
    }
    const error = await readSecret("not-mounted-here").catch((e: unknown) => e);
    expect((error as Error).message).toContain("/var/openfaas/secrets/not-mounted-here");
  });

  it("names a missing secret and its file, and how to add it", async () => {
    const error = await readSecret("jwt-secret", { mountPath: folder }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretNotFoundError);
    expect((error as Error).message).toContain('secret "jwt-secret" not found');
    expect((error as Error).message).toContain(join(folder, "jwt-secret"));
    expect(() => readSecretSync("jwt-secret", { mountPath: folder })).toThrow(SecretNotFoundError);
  });

  it("refuses names that could leave the mount folder", async () => {
    await expect(readSecret("../etc/passwd", { mountPath: folder })).rejects.toThrow(/invalid secret name/);
  });

  it("never puts a secret value in an error", async () => {
    const error = await readSecret("payment-api-key", { mountPath: join(folder, "payment-api-key") }).catch(
      (e: unknown) => e,
    );
    expect(String((error as Error).message)).not.toContain("kiosk-key-value");
  });
});
