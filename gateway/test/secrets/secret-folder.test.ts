import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ReservedSecretError, SecretNameError } from "../../src/secrets/secret-errors.js";
import { openSecretFolder } from "../../src/secrets/secret-folder.js";
import { RESERVED_SECRET_NAMES } from "../../src/secrets/secret-name.js";
import { cleanUp, makeTempDir } from "../support/serve.js";

const mode = (file: string): number => statSync(file).mode & 0o777;

async function freshFolder() {
  const dir = path.join(await makeTempDir(), "secrets");
  return { dir, folder: openSecretFolder(dir) };
}

afterEach(cleanUp);

describe("openSecretFolder", () => {
  it("creates the folder with mode 0700, and tightens an existing looser one", async () => {
    const { dir } = await freshFolder();
    expect(mode(dir)).toBe(0o700);

    const loose = path.join(await makeTempDir(), "loose");
    mkdirSync(loose, { mode: 0o755 });
    openSecretFolder(loose);
    expect(mode(loose)).toBe(0o700);
  });

  it("stores each secret as a file named after it, mode 0600, holding exactly the bytes given", async () => {
    const { dir, folder } = await freshFolder();
    const value = Buffer.from([0, 1, 2, 255, 10]);
    expect(folder.create("api-key", value)).toBe("created");
    const file = path.join(dir, "api-key");
    expect(readFileSync(file)).toEqual(value);
    expect(mode(file)).toBe(0o600);
    expect(folder.has("api-key")).toBe(true);
    expect(folder.list()).toEqual(["api-key"]);
  });

  it("keeps an existing secret on create, changes it only by update, and removes it", async () => {
    const { dir, folder } = await freshFolder();
    const file = path.join(dir, "db.password");
    folder.create("db.password", Buffer.from("first"));
    expect(folder.create("db.password", Buffer.from("second"))).toBe("exists");
    expect(readFileSync(file, "utf8")).toBe("first");

    expect(folder.update("db.password", Buffer.from("third"))).toBe("updated");
    expect(readFileSync(file, "utf8")).toBe("third");
    expect(mode(file)).toBe(0o600);
    expect(folder.update("nope", Buffer.from("x"))).toBe("missing");
    expect(folder.has("nope")).toBe(false);

    expect(folder.remove("db.password")).toBe("removed");
    expect(folder.remove("db.password")).toBe("missing");
    expect(folder.list()).toEqual([]);
  });

  it("replaces a value atomically: a new file is renamed over the old, and no temporary file is left", async () => {
    const { dir, folder } = await freshFolder();
    const file = path.join(dir, "token");
    folder.create("token", Buffer.from("old"));
    const before = statSync(file).ino;
    // A reader that opened the old file keeps reading the whole old value, never a truncated or half-new one.
    const reader = openSync(file, "r");
    try {
      folder.update("token", Buffer.from("new-and-longer"));
      expect(readFileSync(reader, "utf8")).toBe("old");
    } finally {
      closeSync(reader);
    }
    expect(statSync(file).ino).not.toBe(before);
    expect(readFileSync(file, "utf8")).toBe("new-and-longer");
    expect(readdirSync(dir)).toEqual(["token"]);
  });

  it("lists function secrets sorted, never the reserved ones, temporary files or folders", async () => {
    const { dir, folder } = await freshFolder();
    folder.ensureGatewayCredentials();
    folder.create("zeta", Buffer.from("z"));
    folder.create("alpha", Buffer.from("a"));
    writeFileSync(path.join(dir, ".tmp-leftover"), "x");
    mkdirSync(path.join(dir, "a-folder"));
    expect(folder.list()).toEqual(["alpha", "zeta"]);
  });

  it.each(RESERVED_SECRET_NAMES)("refuses the reserved name %s everywhere", async (name) => {
    const { folder } = await freshFolder();
    folder.ensureGatewayCredentials();
    expect(() => folder.create(name, Buffer.from("x"))).toThrow(ReservedSecretError);
    expect(() => folder.update(name, Buffer.from("x"))).toThrow(ReservedSecretError);
    expect(() => folder.remove(name)).toThrow(ReservedSecretError);
    expect(() => folder.ensureSecrets([name])).toThrow(ReservedSecretError);
    expect(() => folder.mount([name], path.join(folder.dir, "..", "mount"))).toThrow(ReservedSecretError);
    expect(folder.has(name)).toBe(false);
    // Still there, unchanged.
    expect(folder.readGatewayCredentials().user).toBe("admin");
  });

  it.each(["../x", "a/b", ".", "..", "", "/etc/passwd", "UPPER", "-lead", "trail-", "a\u0000b", "x".repeat(254)])(
    "refuses the name %j, so no path can leave the folder",
    async (name) => {
      const { folder } = await freshFolder();
      expect(() => folder.create(name, Buffer.from("x"))).toThrow(SecretNameError);
      expect(() => folder.update(name, Buffer.from("x"))).toThrow(SecretNameError);
      expect(() => folder.remove(name)).toThrow(SecretNameError);
      expect(() => folder.mount([name], path.join(folder.dir, "..", "mount"))).toThrow(SecretNameError);
      expect(folder.has(name)).toBe(false);
    },
  );

  it("accepts the longest Kubernetes name, 253 characters", async () => {
    const { folder } = await freshFolder();
    expect(folder.create("x".repeat(253), Buffer.from("v"))).toBe("created");
  });

  it("generates the gateway's credentials once and reuses them on later starts", async () => {
    const { dir, folder } = await freshFolder();
    const first = folder.ensureGatewayCredentials();
    expect(first).toEqual({
      user: "admin",
      userFile: path.join(dir, "basic-auth-user"),
      passwordFile: path.join(dir, "basic-auth-password"),
      created: true,
    });
    const password = readFileSync(first.passwordFile, "utf8");
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes base64url, no padding, no newline
    expect(mode(first.userFile)).toBe(0o600);
    expect(mode(first.passwordFile)).toBe(0o600);
    expect(folder.readGatewayCredentials()).toEqual({ user: "admin", password });

    const again = openSecretFolder(dir).ensureGatewayCredentials();
    expect(again.created).toBe(false);
    expect(readFileSync(again.passwordFile, "utf8")).toBe(password);
  });

  it("reads credentials trimmed, as faas-provider does, and fails without the value when one is missing", async () => {
    const { dir, folder } = await freshFolder();
    writeFileSync(path.join(dir, "basic-auth-user"), " operator\n");
    writeFileSync(path.join(dir, "basic-auth-password"), "s3cret-value\n");
    expect(folder.ensureGatewayCredentials()).toMatchObject({ user: "operator", created: false });
    expect(folder.readGatewayCredentials()).toEqual({ user: "operator", password: "s3cret-value" });

    writeFileSync(path.join(dir, "basic-auth-password"), "  \n");
    expect(() => folder.readGatewayCredentials()).toThrow(/basic-auth-password is empty/);
  });

  it("creates missing secrets with random values and reports which", async () => {
    const { dir, folder } = await freshFolder();
    folder.create("kept", Buffer.from("mine"));
    expect(folder.ensureSecrets(["kept", "made", "made", "also-made"])).toEqual(["made", "also-made"]);
    expect(readFileSync(path.join(dir, "kept"), "utf8")).toBe("mine");
    const made = readFileSync(path.join(dir, "made"), "utf8");
    expect(made).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(path.join(dir, "also-made"), "utf8")).not.toBe(made);
    expect(folder.ensureSecrets(["made"])).toEqual([]);
  });

  it("mounts read-only copies of exactly the named secrets into a fresh 0700 folder and reports missing ones", async () => {
    const { folder } = await freshFolder();
    folder.ensureGatewayCredentials();
    folder.create("one", Buffer.from("1"));
    folder.create("two", Buffer.from("2"));
    folder.create("not-asked", Buffer.from("x"));
    const target = path.join(await makeTempDir(), "replica-1", "secrets");
    mkdirSync(target, { recursive: true });
    writeFileSync(path.join(target, "stale"), "from an earlier replica");

    expect(folder.mount(["one", "two", "ghost"], target)).toEqual({ missing: ["ghost"] });
    expect(readdirSync(target).sort()).toEqual(["one", "two"]);
    expect(readFileSync(path.join(target, "one"), "utf8")).toBe("1");
    expect(mode(target)).toBe(0o700);
    expect(mode(path.join(target, "one"))).toBe(0o400);

    // A copy, not a link: changing the secret later does not change a running replica's view.
    folder.update("one", Buffer.from("changed"));
    expect(readFileSync(path.join(target, "one"), "utf8")).toBe("1");
  });

  it("refuses to mount into the secret folder or a folder holding it", async () => {
    const { dir, folder } = await freshFolder();
    folder.create("one", Buffer.from("1"));
    expect(() => folder.mount(["one"], dir)).toThrow(/holds the secret folder/);
    expect(() => folder.mount(["one"], path.dirname(dir))).toThrow(/holds the secret folder/);
    expect(folder.list()).toEqual(["one"]);
  });
});
