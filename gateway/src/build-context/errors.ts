/**
 * A failure the user can act on: bad stack.yml, a template that drifted, a build step that failed.
 * The CLI prints only its message (no stack trace) and exits 1; anything else is a bug and keeps its stack.
 */
export class BuildContextError extends Error {
  override name = "BuildContextError";
}

/** Bad command-line arguments: the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
