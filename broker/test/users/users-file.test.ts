import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/users/password-hash.js";
import { UserRefusedError, UsersFileError } from "../../src/users/user-errors.js";
import { openUsersFile, type UsersFileOptions } from "../../src/users/users-file.js";
import { makeTempDir, removeTempDirs } from "./temp-dir.js";

afterEach(removeTempDirs);

const mode = (file: string): number => statSync(file).mode & 0o777;
const bytes = (text: string): Buffer => Buffer.from(text, "utf8");

async function usersPath(): Promise<string> {
  // A folder that does not exist yet: the first change creates it.
  return path.join(await makeTempDir(), "data", "users.json");
}

/** The real scrypt check, counted: a cache hit is a call that did not happen. */
function countedVerify() {
  const calls: Array<string | undefined> = [];
  const verify = (password: Buffer, hash: string | undefined) => {
    calls.push(hash);
    return verifyPassword(password, hash);
  };
  return { calls, verify };
}

function readUsersJson(file: string): { version: number; users: Array<Record<string, unknown>> } {
  return JSON.parse(readFileSync(file, "utf8"));
}

describe("the users file on disk", () => {
  it("is created on the first add: folder 0700, file 0600, a scrypt hash and never the password", async () => {
    const file = await usersPath();
    const users = openUsersFile(file);
    expect(users.list()).toEqual([]);
    const password = await users.add("fridge-1", "sensor", "store042");

    expect(mode(path.dirname(file))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(password);
    const document = readUsersJson(file);
    expect(document.version).toBe(1);
    expect(document.users).toHaveLength(1);
    const [entry] = document.users;
    expect(entry).toMatchObject({ username: "fridge-1", role: "sensor", store: "store042" });
    expect(Object.keys(entry ?? {}).sort()).toEqual(["hash", "role", "store", "username"]);
    expect(entry?.hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPassword(bytes(password), String(entry?.hash))).toBe(true);
  });

  it("keeps mode 0600 through every change, even under a permissive umask", async () => {
    const file = await usersPath();
    const users = openUsersFile(file);
    const previous = process.umask(0o000);
    try {
      await users.add("connector", "connector");
      expect(mode(file)).toBe(0o600);
      users.remove("connector");
      expect(mode(file)).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it("replaces the file by rename: a reader of the old file sees all of it, and no temporary file is left", async () => {
    const file = await usersPath();
    const users = openUsersFile(file);
    await users.add("dashboard", "dashboard");
    const before = readFileSync(file);
    const reader = openSync(file, "r");
    try {
      await users.add("connector", "connector");
      const seenByReader = Buffer.alloc(before.length + 100);
      const read = readSync(reader, seenByReader, 0, seenByReader.length, 0);
      expect(seenByReader.subarray(0, read).equals(before)).toBe(true);
    } finally {
      closeSync(reader);
    }
    expect(readUsersJson(file).users.map((user) => user.username)).toEqual(["dashboard", "connector"]);
    expect(readdirSync(path.dirname(file))).toEqual(["users.json"]);
  });

  it("refuses a path that is not a file, without creating anything next to it", async () => {
    const dir = await makeTempDir();
    const file = path.join(dir, "users.json");
    mkdirSync(path.join(file, "occupied"), { recursive: true });
    expect(() => openUsersFile(file)).toThrow(UsersFileError);
    expect(readdirSync(dir)).toEqual(["users.json"]);
  });

  it("writes a file openUsersFile reads back, with users in the order they were added", async () => {
    const file = await usersPath();
    const users = openUsersFile(file);
    await users.add("fridge-1", "sensor", "store042");
    await users.add("bridge", "bridge");
    await users.add("dash.board_1", "dashboard");
    expect(openUsersFile(file).list()).toEqual([
      { username: "fridge-1", role: "sensor", store: "store042" },
      { username: "bridge", role: "bridge" },
      { username: "dash.board_1", role: "dashboard" },
    ]);
  });
});

describe("authenticate", () => {
  it("admits the right password and refuses a wrong one, an empty one and an unknown user", async () => {
    const users = openUsersFile(await usersPath());
    const password = await users.add("fridge-1", "sensor", "store042");
    expect(await users.authenticate("fridge-1", bytes(password))).toEqual({
      username: "fridge-1",
      role: "sensor",
      store: "store042",
    });
    expect(await users.authenticate("fridge-1", bytes(`${password}x`))).toBeUndefined();
    expect(await users.authenticate("fridge-1", Buffer.alloc(0))).toBeUndefined();
    expect(await users.authenticate("fridge-2", bytes(password))).toBeUndefined();
    expect(await users.authenticate("FRIDGE-1", bytes(password))).toBeUndefined();
  });

  it("returns the user without its hash", async () => {
    const users = openUsersFile(await usersPath());
    const password = await users.add("connector", "connector");
    const user = await users.authenticate("connector", bytes(password));
    expect(user).toEqual({ username: "connector", role: "connector" });
    expect(JSON.stringify(user)).not.toContain("scrypt");
    expect(JSON.stringify(users.list())).not.toContain("scrypt");
  });

  it("spends a full derivation on an unknown user too, so the time taken does not tell which names exist", async () => {
    const { calls, verify } = countedVerify();
    const users = openUsersFile(await usersPath(), { verify });
    expect(await users.authenticate("nobody", bytes("whatever-password"))).toBeUndefined();
    expect(calls).toEqual([undefined]);
  });
});

describe("the verified-password cache", () => {
  async function cached(options: UsersFileOptions = {}) {
    const counted = countedVerify();
    const file = await usersPath();
    const users = openUsersFile(file, { verify: counted.verify, ...options });
    const password = bytes(await users.add("fridge-1", "sensor", "store042"));
    return { ...counted, file, users, password };
  }

  it("verifies a password once, then answers a reconnect from memory", async () => {
    const { calls, users, password } = await cached();
    for (let attempt = 0; attempt < 5; attempt++) {
      expect(await users.authenticate("fridge-1", password)).toMatchObject({ username: "fridge-1" });
    }
    expect(calls).toHaveLength(1);
  });

  it("never remembers a failure, and a wrong password never rides on a remembered right one", async () => {
    const { calls, users, password } = await cached();
    await users.authenticate("fridge-1", password);
    expect(await users.authenticate("fridge-1", bytes("wrong-password-1234"))).toBeUndefined();
    expect(await users.authenticate("fridge-1", bytes("wrong-password-1234"))).toBeUndefined();
    expect(calls).toHaveLength(3);
    expect(await users.authenticate("fridge-1", password)).toBeDefined();
    expect(calls).toHaveLength(3);
  });

  it("forgets a password after its time to live", async () => {
    let now = 1_000_000;
    const { calls, users, password } = await cached({ cacheTtlMs: 60_000, now: () => now });
    await users.authenticate("fridge-1", password);
    now += 59_000;
    await users.authenticate("fridge-1", password);
    expect(calls).toHaveLength(1);
    now += 2_000;
    expect(await users.authenticate("fridge-1", password)).toBeDefined();
    expect(calls).toHaveLength(2);
  });

  it("can be turned off (time to live 0)", async () => {
    const { calls, users, password } = await cached({ cacheTtlMs: 0 });
    await users.authenticate("fridge-1", password);
    await users.authenticate("fridge-1", password);
    expect(calls).toHaveLength(2);
  });

  it("stops admitting a user removed by another process (edge-broker user remove)", async () => {
    const { users, file, password } = await cached();
    expect(await users.authenticate("fridge-1", password)).toBeDefined();
    expect(openUsersFile(file).remove("fridge-1")).toBe(true);
    expect(await users.authenticate("fridge-1", password)).toBeUndefined();
    expect(users.list()).toEqual([]);
  });

  it("stops admitting a user removed by this process", async () => {
    const { users, password } = await cached();
    expect(await users.authenticate("fridge-1", password)).toBeDefined();
    expect(users.remove("fridge-1")).toBe(true);
    expect(await users.authenticate("fridge-1", password)).toBeUndefined();
  });

  it("refuses the old password once the password changed, here or in another process", async () => {
    const { users, file, password } = await cached();
    expect(await users.authenticate("fridge-1", password)).toBeDefined();

    const second = bytes("a-new-password-of-enough-bytes");
    await users.setPassword("fridge-1", second);
    expect(await users.authenticate("fridge-1", password)).toBeUndefined();
    expect(await users.authenticate("fridge-1", second)).toBeDefined();

    const third = bytes("yet-another-password-long-enough");
    await openUsersFile(file).setPassword("fridge-1", third);
    expect(await users.authenticate("fridge-1", second)).toBeUndefined();
    expect(await users.authenticate("fridge-1", third)).toBeDefined();
  });

  it("does not admit a user removed while its password was being verified", async () => {
    const file = await usersPath();
    const admin = openUsersFile(file);
    const password = bytes(await admin.add("fridge-1", "sensor", "store042"));
    const users = openUsersFile(file, {
      verify: async (given, hash) => {
        const verified = await verifyPassword(given, hash);
        admin.remove("fridge-1");
        return verified;
      },
    });
    expect(await users.authenticate("fridge-1", password)).toBeUndefined();
  });
});

describe("reloading", () => {
  it("sees users added by another process without being told (edge-broker user add while the broker runs)", async () => {
    const file = await usersPath();
    const broker = openUsersFile(file);
    const cli = openUsersFile(file);
    const password = await cli.add("fridge-7", "sensor", "store042");
    expect(await broker.authenticate("fridge-7", bytes(password))).toMatchObject({ store: "store042" });
    expect(broker.list().map((user) => user.username)).toEqual(["fridge-7"]);
  });

  it("sees a file edited in place", async () => {
    const file = await usersPath();
    const users = openUsersFile(file);
    await users.add("dashboard", "dashboard");
    await users.add("connector", "connector");
    const document = readUsersJson(file);
    const [dashboard, connector] = document.users;
    writeFileSync(file, JSON.stringify({ version: 1, users: [{ ...connector, role: "bridge" }] }));
    expect(users.list()).toEqual([{ username: "connector", role: "bridge" }]);
    writeFileSync(file, JSON.stringify({ version: 1, users: [dashboard, connector] }));
    expect(users.list().map((user) => user.username)).toEqual(["dashboard", "connector"]);
  });

  it("keeps the users it knew while the file on disk is broken, says so once, and recovers when it is fixed", async () => {
    const file = await usersPath();
    const problems: UsersFileError[] = [];
    const users = openUsersFile(file, { onReloadError: (error) => problems.push(error) });
    const password = bytes(await users.add("fridge-1", "sensor", "store042"));
    const good = readFileSync(file, "utf8");

    writeFileSync(file, good.slice(0, good.length - 20));
    expect(await users.authenticate("fridge-1", password)).toBeDefined();
    expect(users.list()).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toBe(`users file ${file}: not valid JSON`);
    // The half-written file holds the hash; the message quotes none of it.
    expect(problems[0]?.message).not.toContain("scrypt");

    writeFileSync(file, good.replace('"store042"', '"store043"'));
    expect(await users.authenticate("fridge-1", password)).toMatchObject({ store: "store043" });
    expect(problems).toHaveLength(1);
  });

  it("treats a deleted file as no users", async () => {
    const file = await usersPath();
    const users = openUsersFile(file);
    const password = bytes(await users.add("connector", "connector"));
    rmSync(file);
    expect(await users.authenticate("connector", password)).toBeUndefined();
    expect(users.list()).toEqual([]);
  });

  it("reload() re-reads now and throws on a broken file, keeping the users it had", async () => {
    const file = await usersPath();
    const users = openUsersFile(file);
    await users.add("bridge", "bridge");
    writeFileSync(file, JSON.stringify({ version: 2, users: [] }));
    expect(() => users.reload()).toThrow(/unsupported version/);
    writeFileSync(file, JSON.stringify({ version: 1, users: [] }));
    users.reload();
    expect(users.list()).toEqual([]);
  });
});

describe("refusals", () => {
  async function withOneUser() {
    const file = await usersPath();
    const users = openUsersFile(file);
    await users.add("fridge-1", "sensor", "store042");
    return { file, users, before: readFileSync(file, "utf8") };
  }

  async function refusal(promise: Promise<unknown>): Promise<UserRefusedError> {
    const error = await promise.then(
      () => undefined,
      (rejected: unknown) => rejected,
    );
    expect(error).toBeInstanceOf(UserRefusedError);
    return error as UserRefusedError;
  }

  it("refuses a name that exists", async () => {
    const { file, users, before } = await withOneUser();
    expect((await refusal(users.add("fridge-1", "sensor", "store042"))).reason).toBe("exists");
    expect((await refusal(users.add("fridge-1", "dashboard"))).reason).toBe("exists");
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("refuses an existing name added by another process since this one last looked", async () => {
    const { file, users } = await withOneUser();
    await openUsersFile(file).add("late", "dashboard");
    expect((await refusal(users.add("late", "connector"))).reason).toBe("exists");
  });

  it.each([
    "",
    "-leading-dash",
    ".hidden",
    "_under",
    "has space",
    "slash/name",
    "plus+",
    "hash#",
    "dollar$",
    "ünïcode",
    "a".repeat(65),
    "colon:name",
  ])("refuses the username %j", async (username) => {
    const { file, users, before } = await withOneUser();
    expect((await refusal(users.add(username, "dashboard"))).reason).toBe("bad-username");
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("accepts names at the edges of the rule", async () => {
    const users = openUsersFile(await usersPath());
    for (const name of ["a", "A", "0", "a".repeat(64), "Fridge_1.store-042"]) {
      await users.add(name, "dashboard");
    }
    expect(users.list()).toHaveLength(5);
  });

  it.each(["admin", "Sensor", "", "sensors"])("refuses the role %j", async (role) => {
    const { users } = await withOneUser();
    expect((await refusal(users.add("someone", role))).reason).toBe("bad-role");
  });

  it("refuses a sensor without a store", async () => {
    const { file, users, before } = await withOneUser();
    expect((await refusal(users.add("fridge-2", "sensor"))).reason).toBe("store-required");
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it.each(["", "Store042", "store_042", "store/042", "store+", "store#", "-store", "$SYS", "store 42", "a".repeat(65)])(
    "refuses the store id %j (not a valid topic level)",
    async (store) => {
      const { users } = await withOneUser();
      expect((await refusal(users.add("fridge-2", "sensor", store))).reason).toBe("bad-store");
    },
  );

  it("accepts store ids at the edges of the rule", async () => {
    const users = openUsersFile(await usersPath());
    for (const [index, store] of ["0", "store042", "a-b-c", "a".repeat(64)].entries()) {
      await users.add(`sensor-${index}`, "sensor", store);
    }
    expect(users.list().map((user) => user.store)).toEqual(["0", "store042", "a-b-c", "a".repeat(64)]);
  });

  it.each(["connector", "dashboard", "bridge"])("refuses a store for a %s, which serves every store", async (role) => {
    const { users } = await withOneUser();
    expect((await refusal(users.add("service", role, "store042"))).reason).toBe("store-not-allowed");
  });

  it("refuses a password change for an unknown user, or to a short password", async () => {
    const { users } = await withOneUser();
    expect((await refusal(users.setPassword("nobody", bytes("long-enough-password")))).reason).toBe("unknown-user");
    expect((await refusal(users.setPassword("fridge-1", bytes("short")))).reason).toBe("weak-password");
  });

  it("says false when removing a user that does not exist, and leaves the file alone", async () => {
    const { file, users, before } = await withOneUser();
    expect(users.remove("nobody")).toBe(false);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("will not write over a file it cannot read", async () => {
    const { file, users } = await withOneUser();
    writeFileSync(file, "{ not json");
    await expect(users.add("other", "dashboard")).rejects.toThrow(UsersFileError);
    expect(() => users.remove("fridge-1")).toThrow(UsersFileError);
    expect(readFileSync(file, "utf8")).toBe("{ not json");
  });
});

describe("opening a file someone wrote by hand", () => {
  const hash = `scrypt$16384$8$1$${Buffer.alloc(16, 1).toString("base64")}$${Buffer.alloc(32, 2).toString("base64")}`;

  it.each([
    ["not JSON", "{", "not valid JSON"],
    // V8's own message would quote the text around the error: here, the would-be secret.
    ["not JSON, quoted by the parser", '{"users":[secret-plaintext]}', "not valid JSON"],
    ["not an object", "[]", "not a JSON object"],
    ["no version", JSON.stringify({ users: [] }), "unsupported version"],
    ["users not a list", JSON.stringify({ version: 1, users: {} }), '"users" is not an array'],
    ["an entry not an object", JSON.stringify({ version: 1, users: ["x"] }), "users[0] is not an object"],
    [
      "a plaintext password",
      JSON.stringify({ version: 1, users: [{ username: "a", role: "dashboard", password: "secret-plaintext" }] }),
      "users[0].hash is not a scrypt hash",
    ],
    [
      "a hash that is not scrypt",
      JSON.stringify({ version: 1, users: [{ username: "a", role: "dashboard", hash: "secret-plaintext" }] }),
      "users[0].hash is not a scrypt hash",
    ],
    [
      "a sensor without a store",
      JSON.stringify({ version: 1, users: [{ username: "a", role: "sensor", hash }] }),
      "users[0]: a sensor is bound to one store",
    ],
    [
      "a bad store id",
      JSON.stringify({ version: 1, users: [{ username: "a", role: "sensor", store: "Store/1", hash }] }),
      "users[0]: invalid store id",
    ],
    [
      "a duplicate name",
      JSON.stringify({
        version: 1,
        users: [
          { username: "a", role: "dashboard", hash },
          { username: "a", role: "bridge", hash },
        ],
      }),
      'users[1]: a second user named "a"',
    ],
  ])("refuses %s, naming the problem and never the content", async (_what, content, problem) => {
    const file = path.join(await makeTempDir(), "users.json");
    writeFileSync(file, content);
    let error: unknown;
    try {
      openUsersFile(file);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(UsersFileError);
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toContain(problem);
    expect(message).not.toContain("secret");
    expect(message).not.toContain(hash.split("$")[4]);
  });
});
