import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { userCommand } from "../../src/cli/user-command.js";
import { openUsersFile } from "../../src/users/users-file.js";
import { makeTempDir, removeTempDirs } from "./temp-dir.js";

afterEach(removeTempDirs);

async function usersFile(): Promise<string> {
  return path.join(await makeTempDir(), "data", "users.json");
}

async function run(file: string, ...args: string[]) {
  let stdout = "";
  let stderr = "";
  const status = await userCommand(
    args,
    { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } },
    file,
  );
  return { status, stdout, stderr, lines: stdout.split("\n").filter((line) => line !== "") };
}

describe("edge-broker user add", () => {
  it("adds a sensor and prints its password alone on the last line, which then authenticates", async () => {
    const file = await usersFile();
    const { status, stdout, stderr, lines } = await run(
      file,
      "add",
      "fridge-1",
      "--role",
      "sensor",
      "--store",
      "store042",
    );
    expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
    expect(stdout.endsWith("\n")).toBe(true);
    expect(lines).toHaveLength(2);
    const password = lines.at(-1) ?? "";
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(lines[0]).toContain("fridge-1");
    expect(lines[0]).toContain("store042");
    expect(lines[0]).not.toContain(password);
    expect(readFileSync(file, "utf8")).not.toContain(password);
    expect(await openUsersFile(file).authenticate("fridge-1", Buffer.from(password))).toEqual({
      username: "fridge-1",
      role: "sensor",
      store: "store042",
    });
  });

  it("takes --role=ROLE and --store=ID too, and a service role without a store", async () => {
    const file = await usersFile();
    expect((await run(file, "add", "fridge-2", "--store=store043", "--role=sensor")).status).toBe(0);
    const connector = await run(file, "add", "connector", "--role", "connector");
    expect(connector.status).toBe(0);
    expect(
      await openUsersFile(file).authenticate("connector", Buffer.from(connector.lines.at(-1) ?? "")),
    ).toMatchObject({ role: "connector" });
  });

  it.each([
    ["a missing name", ["add", "--role", "dashboard"], "give exactly one user name"],
    ["two names", ["add", "a", "b", "--role", "dashboard"], "give exactly one user name"],
    ["a missing --role", ["add", "dash"], "--role is required"],
    ["--role without a value", ["add", "dash", "--role"], "--role needs a value"],
    ["an empty --store", ["add", "s", "--role", "sensor", "--store="], "--store needs a value"],
    ["a repeated option", ["add", "d", "--role", "dashboard", "--role", "bridge"], "--role given twice"],
    [
      "an unknown option",
      ["add", "d", "--role", "dashboard", "--password=hunter2-secret"],
      "unknown option --password",
    ],
    ["an option of another subcommand", ["list", "--role", "dashboard"], "unknown option --role"],
    ["arguments to list", ["list", "extra"], "takes no arguments"],
    ["no subcommand", [], "which one: add, list or remove?"],
    ["an unknown subcommand", ["rename", "a", "b"], "unknown subcommand"],
  ])("exits 2 on %s, with the usage on stderr and nothing written", async (_what, args, problem) => {
    const file = await usersFile();
    const { status, stdout, stderr } = await run(file, ...args);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(problem);
    expect(stderr).toContain("Usage:");
    // A mistyped secret is not echoed back into a terminal or a CI log.
    expect(stderr).not.toContain("hunter2");
    expect(openUsersFile(file).list()).toEqual([]);
  });

  it.each([
    ["an invalid name", ["add", "bad name", "--role", "dashboard"], 'invalid username "bad name"'],
    ["an invalid role", ["add", "root", "--role", "admin"], 'invalid role "admin"'],
    ["a sensor without a store", ["add", "fridge-3", "--role", "sensor"], "a sensor is bound to one store"],
    ["an invalid store id", ["add", "f", "--role", "sensor", "--store", "store/42"], 'invalid store id "store/42"'],
    ["a store id that is no topic level", ["add", "f", "--role", "sensor", "--store", "+"], 'invalid store id "+"'],
    ["a store for a service role", ["add", "d", "--role", "dashboard", "--store", "store042"], "takes no store"],
  ])("exits 1 on %s, saying why on stderr", async (_what, args, problem) => {
    const file = await usersFile();
    const { status, stdout, stderr } = await run(file, ...args);
    expect({ status, stdout }).toEqual({ status: 1, stdout: "" });
    expect(stderr).toContain(problem);
    expect(stderr).not.toContain("Usage:");
    expect(openUsersFile(file).list()).toEqual([]);
  });

  it("exits 1 on a name that exists, printing no password and changing nothing", async () => {
    const file = await usersFile();
    const first = await run(file, "add", "dash", "--role", "dashboard");
    const before = readFileSync(file, "utf8");
    const second = await run(file, "add", "dash", "--role", "bridge");
    expect({ status: second.status, stdout: second.stdout }).toEqual({ status: 1, stdout: "" });
    expect(second.stderr).toContain('a user named "dash" already exists');
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(await openUsersFile(file).authenticate("dash", Buffer.from(first.lines.at(-1) ?? ""))).toBeDefined();
  });
});

describe("edge-broker user list", () => {
  it("shows name, role and store of each user, and neither hashes nor passwords", async () => {
    const file = await usersFile();
    const passwords = [
      (await run(file, "add", "fridge-1", "--role", "sensor", "--store", "store042")).lines.at(-1),
      (await run(file, "add", "connector", "--role", "connector")).lines.at(-1),
      (await run(file, "add", "dashboard", "--role", "dashboard")).lines.at(-1),
    ];
    const { status, stdout, stderr, lines } = await run(file, "list");
    expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
    expect(lines.map((line) => line.split(/\s+/))).toEqual([
      ["NAME", "ROLE", "STORE"],
      ["fridge-1", "sensor", "store042"],
      ["connector", "connector", "-"],
      ["dashboard", "dashboard", "-"],
    ]);
    expect(stdout).not.toContain("scrypt");
    for (const storedHash of JSON.parse(readFileSync(file, "utf8")).users.map((user: { hash: string }) => user.hash)) {
      expect(stdout).not.toContain(storedHash.split("$")[5]);
    }
    for (const password of passwords) expect(stdout).not.toContain(password);
  });

  it("says so when there are no users (and creates no file)", async () => {
    const file = await usersFile();
    const { status, stdout } = await run(file, "list");
    expect(status).toBe(0);
    expect(stdout).toBe(`no users in ${file}\n`);
    expect(existsSync(file)).toBe(false);
  });

  it("exits 1 on a broken users file, naming the file and quoting none of it", async () => {
    const file = await usersFile();
    await run(file, "add", "dash", "--role", "dashboard");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.slice(0, -10));
    const { status, stdout, stderr } = await run(file, "list");
    expect({ status, stdout }).toEqual({ status: 1, stdout: "" });
    expect(stderr).toContain(file);
    expect(stderr).toContain("not valid JSON");
    expect(stderr).not.toContain("scrypt");
  });
});

describe("edge-broker user remove", () => {
  it("removes a user, then exits 1 when asked again", async () => {
    const file = await usersFile();
    const added = await run(file, "add", "fridge-1", "--role", "sensor", "--store", "store042");
    await run(file, "add", "dash", "--role", "dashboard");

    const removed = await run(file, "remove", "fridge-1");
    expect({ status: removed.status, stderr: removed.stderr }).toEqual({ status: 0, stderr: "" });
    expect(removed.stdout).toContain("removed fridge-1");
    expect(
      openUsersFile(file)
        .list()
        .map((user) => user.username),
    ).toEqual(["dash"]);
    expect(await openUsersFile(file).authenticate("fridge-1", Buffer.from(added.lines.at(-1) ?? ""))).toBeUndefined();

    const again = await run(file, "remove", "fridge-1");
    expect({ status: again.status, stdout: again.stdout }).toEqual({ status: 1, stdout: "" });
    expect(again.stderr).toContain('no user named "fridge-1"');
  });

  it("exits 2 without a name", async () => {
    const { status, stderr } = await run(await usersFile(), "remove");
    expect(status).toBe(2);
    expect(stderr).toContain("give exactly one user name");
  });
});

describe("edge-broker user --help", () => {
  it.each([["--help"], ["help"], ["-h"], ["add", "--help"]])(
    "prints the usage and every role (%j)",
    async (...args) => {
      const { status, stdout, stderr } = await run(await usersFile(), ...args);
      expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
      for (const role of ["sensor", "connector", "dashboard", "bridge"]) expect(stdout).toContain(`  ${role} `);
      expect(stdout).toContain("edge-broker user add NAME --role ROLE [--store ID]");
    },
  );
});
