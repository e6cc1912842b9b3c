import type { BrokerUser } from "../users/broker-user.js";
import { ROLE_SUMMARIES, ROLES } from "../users/roles.js";
import { UserRefusedError, UsersFileError } from "../users/user-errors.js";
import { openUsersFile } from "../users/users-file.js";

export const USER_USAGE = `Usage:
  edge-broker user add NAME --role ROLE [--store ID]   add a user; its generated password is the last line
  edge-broker user list                                list the users: name, role, store (never a password)
  edge-broker user remove NAME                         remove a user

Roles:
${ROLES.map((role) => `  ${role.padEnd(10)} ${ROLE_SUMMARIES[role]}`).join("\n")}
A sensor needs --store (its store id, e.g. store042); the other roles take none.

Exit status: 0 done, 1 refused (invalid or existing name, unknown user, unreadable users file), 2 usage error.`;

/** Where the command writes: process.stdout/stderr in the `edge-broker` binary, collectors in tests. */
export interface UserCommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * `edge-broker user add|list|remove` on the users file at `usersFile` (the broker's DATA_DIR/users.json or
 * BROKER_USERS_FILE). A running broker notices the change on its next connection. The only secret this ever
 * prints is the password `add` generates, alone on the last line, so `… | tail -n 1` captures it.
 */
export async function userCommand(args: readonly string[], io: UserCommandIo, usersFile: string): Promise<number> {
  const [subcommand, ...rest] = args;
  const fail = (status: 1 | 2, message: string): number => {
    io.stderr.write(`edge-broker user${subcommand ? ` ${subcommand}` : ""}: ${message}\n`);
    if (status === 2) io.stderr.write(`\n${USER_USAGE}\n`);
    return status;
  };

  if (subcommand === "-h" || subcommand === "--help" || subcommand === "help") {
    io.stdout.write(`${USER_USAGE}\n`);
    return 0;
  }
  if (subcommand !== "add" && subcommand !== "list" && subcommand !== "remove") {
    return fail(2, subcommand === undefined ? "which one: add, list or remove?" : "unknown subcommand");
  }

  const parsed = parseArguments(rest, subcommand === "add" ? ["--role", "--store"] : []);
  if ("help" in parsed) {
    io.stdout.write(`${USER_USAGE}\n`);
    return 0;
  }
  if ("problem" in parsed) return fail(2, parsed.problem);
  const { positionals, values } = parsed;
  const expected = subcommand === "list" ? 0 : 1;
  if (positionals.length !== expected) {
    return fail(2, expected === 0 ? "takes no arguments" : "give exactly one user name");
  }
  const username = positionals[0] ?? "";
  const role = values.get("--role");
  const store = values.get("--store");
  if (subcommand === "add" && role === undefined) return fail(2, "--role is required");

  try {
    const users = openUsersFile(usersFile);
    if (subcommand === "add" && role !== undefined) {
      const password = await users.add(username, role, store);
      const where = store === undefined ? "" : ` of store ${store}`;
      io.stdout.write(`added ${role} ${username}${where} to ${usersFile}; its password, shown only once, follows:\n`);
      io.stdout.write(`${password}\n`);
    } else if (subcommand === "list") {
      io.stdout.write(formatUsers(users.list(), usersFile));
    } else if (users.remove(username)) {
      io.stdout.write(`removed ${username} from ${usersFile}\n`);
    } else {
      return fail(1, `no user named ${JSON.stringify(username)} in ${usersFile}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof UserRefusedError || error instanceof UsersFileError) return fail(1, error.message);
    throw error;
  }
}

function formatUsers(users: readonly BrokerUser[], usersFile: string): string {
  if (users.length === 0) return `no users in ${usersFile}\n`;
  const rows = [["NAME", "ROLE", "STORE"], ...users.map((user) => [user.username, user.role, user.store ?? "-"])];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  return rows
    .map(
      ([name = "", role = "", store = ""]) =>
        `${name.padEnd(widths[0] ?? 0)}  ${role.padEnd(widths[1] ?? 0)}  ${store}`,
    )
    .join("\n")
    .concat("\n");
}

type Parsed =
  | { readonly positionals: string[]; readonly values: Map<string, string> }
  | { readonly problem: string }
  | { readonly help: true };

/**
 * `--name VALUE` / `--name=VALUE` options and positionals. Hand-written rather than util.parseArgs because its
 * messages quote the whole argument: a mistyped `--password=…` must not come back on stderr (or into a CI log).
 */
function parseArguments(args: readonly string[], valueOptions: readonly string[]): Parsed {
  const positionals: string[] = [];
  const values = new Map<string, string>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = equals === -1 ? arg : arg.slice(0, equals);
    if (name === "-h" || name === "--help") return { help: true };
    if (!valueOptions.includes(name)) return { problem: `unknown option ${name}` };
    if (values.has(name)) return { problem: `${name} given twice` };
    const value = equals === -1 ? args[++index] : arg.slice(equals + 1);
    if (value === undefined || value === "") return { problem: `${name} needs a value` };
    values.set(name, value);
  }
  return { positionals, values };
}
