/**
 * Runs `open` at the first call and shares its promise with every later caller, so concurrent first requests
 * open once. A failure is not kept: the next call tries again, so a database that was down at the first
 * request does not leave the function failing until it is restarted.
 */
export function openOnFirstUse<T>(open: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= open().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
