import { BuildContextError } from "./errors.js";
import { splitWords, unquote } from "./shell-words.js";

/** Where an instruction came from, for error messages: its first line and its text on one line. */
export interface Located {
  readonly line: number;
  readonly text: string;
}

/** `["node", "x.js"]` (exec form, run without a shell) or `node x.js` (shell form, run by `/bin/sh -c`). */
export type CommandForm =
  | { readonly form: "exec"; readonly args: string[] }
  | { readonly form: "shell"; readonly command: string };

export type Flags = Readonly<Record<string, string>>;

export type Instruction = Located &
  (
    | { readonly kind: "ARG"; readonly args: readonly { readonly name: string; readonly value?: string }[] }
    | { readonly kind: "ENV"; readonly vars: readonly { readonly name: string; readonly value: string }[] }
    | { readonly kind: "WORKDIR"; readonly path: string }
    | { readonly kind: "COPY"; readonly flags: Flags; readonly sources: string[]; readonly dest: string }
    | { readonly kind: "RUN"; readonly flags: Flags; readonly command: CommandForm }
    | { readonly kind: "USER"; readonly user: string }
    | { readonly kind: "HEALTHCHECK"; readonly flags: Flags; readonly command: CommandForm | "NONE" }
    | { readonly kind: "CMD"; readonly command: CommandForm }
    | { readonly kind: "EXPOSE"; readonly ports: string[] }
  );

export type InstructionKind = Instruction["kind"];

/** The flags each instruction accepts; any other `--flag` is refused rather than ignored. */
const KNOWN_FLAGS: Partial<Record<InstructionKind, readonly string[]>> = {
  COPY: ["from", "chown", "chmod", "link"],
  RUN: ["mount", "network", "security"],
  HEALTHCHECK: ["interval", "timeout", "start-period", "start-interval", "retries"],
};

/** Parses the arguments of one instruction (FROM is the caller's); throws a message without location. */
export function parseInstruction(kind: string, args: string, where: Located): Instruction {
  switch (kind) {
    case "ARG":
      return { ...where, kind, args: splitWords(args).map(parseArg) };
    case "ENV":
      return { ...where, kind, vars: parseEnv(args) };
    case "WORKDIR":
      return { ...where, kind, path: required(unquote(args.trim()), "a path") };
    case "COPY": {
      const { flags, rest } = takeFlags(kind, args);
      const words = rest.startsWith("[") ? jsonArray(rest) : splitWords(rest);
      if (words.length < 2) throw new BuildContextError("COPY needs at least one source and a destination");
      return { ...where, kind, flags, sources: words.slice(0, -1), dest: words[words.length - 1] as string };
    }
    case "RUN": {
      const { flags, rest } = takeFlags(kind, args);
      return { ...where, kind, flags, command: parseCommand(rest) };
    }
    case "USER": {
      const words = splitWords(args);
      if (words.length !== 1) throw new BuildContextError("USER takes exactly one user[:group]");
      return { ...where, kind, user: words[0] as string };
    }
    case "HEALTHCHECK": {
      const { flags, rest } = takeFlags(kind, args);
      if (/^NONE$/i.test(rest)) return { ...where, kind, flags, command: "NONE" };
      const match = /^CMD\s+(.*)$/is.exec(rest);
      if (!match) throw new BuildContextError("HEALTHCHECK needs CMD <command> or NONE");
      return { ...where, kind, flags, command: parseCommand(match[1] as string) };
    }
    case "CMD":
      return { ...where, kind, command: parseCommand(args) };
    case "EXPOSE":
      return { ...where, kind, ports: splitWords(args) };
    default:
      throw new BuildContextError(
        `unsupported instruction ${kind}: the native build knows FROM, ARG, ENV, WORKDIR, COPY, RUN, USER, HEALTHCHECK, CMD and EXPOSE`,
      );
  }
}

function parseArg(word: string): { name: string; value?: string } {
  const equals = word.indexOf("=");
  if (equals === -1) return { name: required(word, "a name") };
  return { name: required(word.slice(0, equals), "a name"), value: word.slice(equals + 1) };
}

/** `ENV a=1 b="two words"` (several pairs) or the legacy `ENV name the rest of the line`. */
function parseEnv(args: string): { name: string; value: string }[] {
  const legacy = /^([^\s=]+)\s+(.*)$/s.exec(args.trim());
  if (legacy && !(legacy[1] as string).includes("=")) {
    // Only legacy if the first word has no `=`: `ENV a=1 b=2` must not read as name "a=1".
    return [{ name: legacy[1] as string, value: unquote((legacy[2] as string).trim()) }];
  }
  return splitWords(args).map((word) => {
    const equals = word.indexOf("=");
    if (equals <= 0) throw new BuildContextError(`ENV expects name=value, found "${word}"`);
    return { name: word.slice(0, equals), value: word.slice(equals + 1) };
  });
}

/** Leading `--name=value` / `--name` flags, checked against what the instruction accepts. */
function takeFlags(kind: InstructionKind, args: string): { flags: Flags; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args.trim();
  for (;;) {
    const match = /^--([a-z-]+)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (match === null) break;
    const name = match[1] as string;
    if (!KNOWN_FLAGS[kind]?.includes(name)) throw new BuildContextError(`${kind} does not support --${name}`);
    flags[name] = match[2] ?? "true";
    rest = rest.slice(match[0].length);
  }
  return { flags, rest };
}

/** Docker's rule: a JSON array of strings is the exec form; anything else, even `[` text, is shell form. */
function parseCommand(args: string): CommandForm {
  const text = args.trim();
  if (text.startsWith("[")) {
    try {
      return { form: "exec", args: jsonArray(text) };
    } catch {
      // not JSON: shell form, as Docker falls back
    }
  }
  return { form: "shell", command: required(text, "a command") };
}

function jsonArray(text: string): string[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === "string")) {
    throw new BuildContextError(`expected a JSON array of strings, found ${text}`);
  }
  return value;
}

function required(value: string, what: string): string {
  if (value === "") throw new BuildContextError(`expected ${what}`);
  return value;
}
