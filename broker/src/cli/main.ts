import { ConfigError, loadBrokerConfig } from "../config.js";
import { ListenError } from "../listeners.js";
import { runBroker } from "../run-broker.js";
import { userCommand } from "./user-command.js";

const USAGE = `Usage:
  edge-broker                                   run the broker (configured by its environment; see broker/README.md)
  edge-broker user add NAME --role ROLE [--store ID]   add a user; prints its generated password last
  edge-broker user list                          list the users (never their passwords)
  edge-broker user remove NAME                   remove a user
Users live in DATA_DIR/users.json, or BROKER_USERS_FILE.`;

/** One JSON line per event, as the other components log. */
function logger() {
  const line = (level: string, msg: string, fields?: Record<string, unknown>) =>
    JSON.stringify({ level, time: new Date().toISOString(), msg, component: "edge-broker", ...fields });
  return {
    info: (msg: string, fields?: Record<string, unknown>) => process.stdout.write(`${line("info", msg, fields)}\n`),
    warn: (msg: string, fields?: Record<string, unknown>) => process.stderr.write(`${line("warn", msg, fields)}\n`),
  };
}

export async function main(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config: ReturnType<typeof loadBrokerConfig>;
  try {
    config = loadBrokerConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`edge-broker: ${error.message}\n`);
    return 1;
  }
  const [command, ...rest] = args;
  if (command === "user")
    return userCommand(rest, { stdout: process.stdout, stderr: process.stderr }, config.usersFile);
  if (command === "-h" || command === "--help" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== undefined) {
    process.stderr.write(`edge-broker: unknown command "${command}"\n\n${USAGE}\n`);
    return 2;
  }
  const log = logger();
  let running: Awaited<ReturnType<typeof runBroker>>;
  try {
    running = await runBroker(config, log);
  } catch (error) {
    if (error instanceof ListenError) {
      process.stderr.write(`edge-broker: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  log.info("stopping");
  await running.stop();
  return 0;
}
