import { parseArgs } from "node:util";
import { FUNCTION_NAME } from "../stack/stack.js";
import { UsageError } from "./errors.js";

export const USAGE = `Usage:
  npm run build:context -- <function> [--stack FILE] [--out DIR] [--toolchain DIR]
      a function of the stack file (default: stack.yaml, else stack.yml, in the current folder)
  npm run build:context -- --name NAME --handler DIR [--lang LANG] [--out DIR] [--toolchain DIR]
      any handler folder (LANG defaults to node18-typescript)

Builds the function's faas-cli build context (as \`faas-cli build --shrinkwrap\` does) in DIR
(default build/<name>/), then runs its Dockerfile's build stage natively in that folder.
--toolchain tools/node18 runs the steps with the image's Node 18 and npm 10 instead of the host's,
compiling native addons for Node 18.`;

export const DEFAULT_LANG = "node18-typescript";

/** What the command line asks for: a function of a stack file, or a handler folder given directly. */
export type CliRequest =
  | { readonly kind: "help" }
  | {
      readonly kind: "stack";
      readonly function: string;
      readonly stackFile?: string;
      readonly out?: string;
      readonly toolchain?: string;
    }
  | {
      readonly kind: "handler";
      readonly name: string;
      readonly handler: string;
      readonly lang: string;
      readonly out?: string;
      readonly toolchain?: string;
    };

/** Parses the arguments; throws a `UsageError` (the CLI exits 2) for anything it cannot make sense of. */
export function parseCliArgs(argv: readonly string[]): CliRequest {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  for (const [option, value] of Object.entries(values)) {
    if (typeof value === "string" && value.trim() === "") throw new UsageError(`--${option} needs a value`);
  }
  const out = {
    ...(values.out === undefined ? {} : { out: values.out }),
    ...(values.toolchain === undefined ? {} : { toolchain: values.toolchain }),
  };

  if (values.name === undefined && values.handler === undefined) {
    if (values.lang !== undefined) throw new UsageError("--lang goes with --name and --handler");
    if (positionals.length !== 1)
      throw new UsageError("name one function of the stack file, or use --name and --handler");
    const stackFile = values.stack === undefined ? {} : { stackFile: values.stack };
    return { kind: "stack", function: positionals[0] as string, ...stackFile, ...out };
  }

  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" with --name/--handler`);
  if (values.stack !== undefined) throw new UsageError("--stack cannot be combined with --name/--handler");
  if (values.name === undefined || values.handler === undefined)
    throw new UsageError("--name and --handler go together");
  if (!FUNCTION_NAME.test(values.name)) {
    throw new UsageError(`--name "${values.name}": a function name can only contain a-z, 0-9 and dashes`);
  }
  return { kind: "handler", name: values.name, handler: values.handler, lang: values.lang ?? DEFAULT_LANG, ...out };
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      stack: { type: "string" },
      out: { type: "string" },
      name: { type: "string" },
      handler: { type: "string" },
      lang: { type: "string" },
      toolchain: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
