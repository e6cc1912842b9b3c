import { StackError } from "./stack-error.js";

/** What `substituteEnv` reads variables from: `process.env` or a test's own record. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * faas-cli substitutes environment variables in the text of the stack file *before* parsing it as YAML
 * (it uses github.com/drone/envsubst and reads an unset variable as ""). This is the part of that syntax a
 * stack file uses; anything else is refused loudly rather than left half-substituted:
 * - `${NAME}`, and `${NAME:-default}` / `${NAME:=default}` / `${NAME=default}`: the default when NAME is unset
 *   or empty (drone's lookup cannot tell the two apart). A default may itself contain `${...}`.
 * - `$$` is a literal `$`; a `$` not followed by `{` is literal (drone does not expand a bare `$NAME`).
 * - NAME is letters, digits, `_` and `-`, as drone scans it, so `${A-b}` is the variable "A-b", not a default.
 */
export function substituteEnv(text: string, env: Env, source = "text"): string {
  const scan: Scanner = { text, pos: 0, env, source };
  return expand(scan, false);
}

interface Scanner {
  readonly text: string;
  pos: number;
  readonly env: Env;
  readonly source: string;
}

const NAME_CHAR = /^[\p{L}\p{N}_-]$/u;
const DEFAULT_OPERATORS = [":-", ":=", "="] as const;

/** Copies text up to the end (or, inside a default, up to its closing brace) with every `${...}` replaced. */
function expand(scan: Scanner, insideDefault: boolean): string {
  let out = "";
  while (scan.pos < scan.text.length) {
    const char = scan.text[scan.pos];
    const next = scan.text[scan.pos + 1];
    if (insideDefault && char === "}") return out;
    if (char === "$" && next === "$") {
      out += "$";
      scan.pos += 2;
    } else if (char === "$" && next === "{") {
      out += expression(scan);
    } else {
      out += char;
      scan.pos += 1;
    }
  }
  if (insideDefault) throw failure(scan, scan.text.length, "a default value is missing its closing }");
  return out;
}

/** Evaluates one `${...}` starting at the scanner's position and moves past it. */
function expression(scan: Scanner): string {
  const start = scan.pos;
  scan.pos += 2;
  let name = "";
  while (scan.pos < scan.text.length && NAME_CHAR.test(scan.text[scan.pos] ?? "")) {
    name += scan.text[scan.pos];
    scan.pos += 1;
  }
  if (name === "") throw failure(scan, start, `expected a variable name after "\${"`);
  const value = scan.env[name] ?? "";
  if (scan.text[scan.pos] === "}") {
    scan.pos += 1;
    return value;
  }
  const operator = DEFAULT_OPERATORS.find((op) => scan.text.startsWith(op, scan.pos));
  if (operator === undefined) {
    const shown = scan.text.slice(start, scan.text.indexOf("}", start) + 1 || undefined).split("\n")[0];
    throw failure(scan, start, `unsupported substitution "${shown}": use \${NAME} or \${NAME:-default}`);
  }
  scan.pos += operator.length;
  const fallback = expand(scan, true);
  scan.pos += 1; // the closing brace
  return value === "" ? fallback : value;
}

function failure(scan: Scanner, offset: number, message: string): StackError {
  const line = scan.text.slice(0, offset).split("\n").length;
  return new StackError(`${scan.source}:${line}: ${message}`);
}
