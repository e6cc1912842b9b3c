/**
 * Runs `open` at the first call and shares its promise with every later caller. A failure is not kept:
 * the next call tries again, so a database that was down at the first request does not stay "down".
 */
export function lazy<T>(open: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= open().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
