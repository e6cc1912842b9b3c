/** A stack file that cannot be used: the message names the file, the function and the field at fault. */
export class StackError extends Error {
  override name = "StackError";
}
