import type { Store } from "@coffee-edge/node18-typescript/store";

/**
 * Opens the store at the first call and shares that one promise, so concurrent first requests open it once.
 * A failed open is forgotten, so a later request tries again (the database may be up by then).
 */
export function lazyStore(open: () => Promise<Store>): () => Promise<Store> {
  let opening: Promise<Store> | undefined;
  return () => {
    opening ??= open().catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };
}
