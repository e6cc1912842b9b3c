import { simulateCommand } from "../simulate/command.js";
import { generate } from "./generate.js";
import { UP_USAGE, up } from "./up.js";

const USAGE = `Usage: coffee-edge <command>

Commands:
  up         run the stack on this machine (gateway and functions)   coffee-edge up --help
  simulate   publish simulated store sensors to the MQTT broker      coffee-edge simulate --help
  generate   print the stack's functions as OpenFaaS Function objects coffee-edge generate --help
`;

/**
 * The `coffee-edge` command. Ctrl-C or SIGTERM asks the command to stop cleanly; a second one ends the process
 * at once (exit 130), for when a drain hangs.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      process.stderr.write(`coffee-edge: second ${signal}, exiting now\n`);
      process.exit(130);
    }
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const io = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: stop.signal,
  };
  switch (command) {
    case "up":
      return up(rest, io);
    case "generate":
      return generate(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    case "simulate":
      return simulateCommand(rest, { stdout: process.stdout, stderr: process.stderr, signal: stop.signal });
    case undefined:
    case "-h":
    case "--help":
    case "help":
      process.stdout.write(`${USAGE}\n${UP_USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`coffee-edge: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
