/** Why the users file refused a change. The CLI prints the message; callers branch on `reason`. */
export type RefusalReason =
  | "bad-username"
  | "bad-role"
  | "store-required"
  | "store-not-allowed"
  | "bad-store"
  | "exists"
  | "unknown-user"
  | "weak-password";

/** A change the users file will not make. The message names the user, never a password or a hash. */
export class UserRefusedError extends Error {
  override readonly name = "UserRefusedError";
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The users file cannot be read, parsed or written. The message names the file and what is wrong with it,
 * never its content: a JSON parser's message quotes the text around the error, which may be a hash.
 */
export class UsersFileError extends Error {
  override readonly name = "UsersFileError";
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`users file ${file}: ${problem}`);
  }
}
