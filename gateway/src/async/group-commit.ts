interface Waiting<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommit<T> {
  /** Resolves once `item` is committed (with the others of its turn), rejects if that commit failed. */
  add(item: T): Promise<void>;
  /** Commits what is waiting now, synchronously (before closing the store). */
  flush(): void;
  /** How many commits ran: a test proves that many adds shared few of them. */
  readonly commits: number;
}

/**
 * Batches items added in the same event-loop turn into one `commit` call. The commit runs in setImmediate, i.e.
 * after every I/O callback of the current poll phase: the requests Node read together share one transaction and
 * one fsync. While a commit blocks the loop, new requests queue in the kernel and form the next, larger batch,
 * so the cost per request falls as load rises.
 */
export function createGroupCommit<T>(commit: (items: readonly T[]) => void): GroupCommit<T> {
  let waiting: Waiting<T>[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let commits = 0;

  const flush = (): void => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    const batch = waiting;
    waiting = [];
    if (batch.length === 0) return;
    try {
      commit(batch.map((entry) => entry.item));
      commits++;
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    for (const entry of batch) entry.resolve();
  };

  return {
    add: (item) =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        scheduled ??= setImmediate(flush);
      }),
    flush,
    get commits() {
      return commits;
    },
  };
}
