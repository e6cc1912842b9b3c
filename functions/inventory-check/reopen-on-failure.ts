/**
 * Runs `open` at the first call and shares its promise with every later call; a failure is forgotten,
 * so the next call tries again (the database may be back) instead of the function failing until restarted.
 */
export function reopenOnFailure<T>(open: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= open().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
