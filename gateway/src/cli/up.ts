import path from "node:path";
import type { Writable } from "node:stream";
import { ConfigError, loadGatewayConfig } from "../config.js";
import { banner } from "../edge/banner.js";
import { buildHandlers, HandlerBuildError } from "../edge/build-handlers.js";
import { PortInUseError } from "../edge/port-in-use.js";
import { startEdge } from "../edge/start-edge.js";
import { watchHandlers } from "../edge/watch-handlers.js";
import { StackError } from "../stack/stack-error.js";

export const UP_USAGE = `Usage: coffee-edge up [--file stack.yml] [--watch]

Runs the stack on this machine: the OpenFaaS-compatible gateway and every function of the stack file.
  -f, --file FILE   the faas-cli stack file (default: stack.yml)
  -w, --watch       rebuild and restart a function when its handler changes
  -h, --help        this text
Environment: GATEWAY_PORT (8080), GATEWAY_HOST (127.0.0.1), MQTT_PORT (1883), DATA_DIR (.coffee-edge);
the README lists the rest.`;

export interface UpIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Aborted on Ctrl-C / SIGTERM: `up` then drains and stops. */
  readonly signal: AbortSignal;
}

interface UpArgs {
  readonly file: string;
  readonly watch: boolean;
  readonly help: boolean;
}

function parseUpArgs(args: readonly string[]): UpArgs | string {
  let file = "stack.yml";
  let watch = false;
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "-w" || arg === "--watch") watch = true;
    else if (arg === "-h" || arg === "--help") help = true;
    else if (arg === "-f" || arg === "--file" || arg === "--yaml") {
      const value = args[++i];
      if (!value) return `${arg} needs a file`;
      file = value;
    } else if (arg.startsWith("--file=")) file = arg.slice("--file=".length);
    else return `unknown option ${arg}`;
  }
  return { file, watch, help };
}

/** `coffee-edge up`: returns the exit code once stopped (0 after a clean Ctrl-C / SIGTERM). */
export async function up(args: readonly string[], io: UpIo): Promise<number> {
  const parsed = parseUpArgs(args);
  if (typeof parsed === "string") {
    io.stderr.write(`coffee-edge up: ${parsed}\n\n${UP_USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(`${UP_USAGE}\n`);
    return 0;
  }
  const say = (line: string) => io.stdout.write(`gateway | ${line}\n`);
  const stackFile = path.resolve(io.cwd, parsed.file);
  let edge: Awaited<ReturnType<typeof startEdge>>;
  try {
    const config = loadGatewayConfig(io.env, io.cwd);
    edge = await startEdge({
      config,
      stackFile,
      env: io.env,
      out: io.stdout,
      connectors: true,
      beforeFunctions: async (specs) => {
        say("building what is not built (tsc -b)…");
        await buildHandlers(specs, say);
      },
    });
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof StackError ||
      error instanceof PortInUseError ||
      error instanceof HandlerBuildError
    ) {
      io.stderr.write(`coffee-edge up: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  io.stdout.write(banner(edge, io.cwd, stackFile));
  const stopWatching = parsed.watch ? watchHandlers(edge.runtime, say) : () => {};
  if (parsed.watch) say("watching the handler folders for changes");

  if (!io.signal.aborted) await new Promise((resolve) => io.signal.addEventListener("abort", resolve, { once: true }));
  say("stopping: draining calls in flight; the async queue stays on disk");
  stopWatching();
  await edge.stop();
  say("stopped");
  return 0;
}
