import type { MessageQueue } from "./message-queue.js";

export interface RemovalBatch {
  /** Deletes the delivery's row soon, with the others finished in the same event-loop turn. */
  add(id: number): void;
  /** Deletes what is waiting now, once, and schedules nothing more (before the queue is closed). */
  close(): void;
  /** Finished deliveries whose row is not deleted yet. */
  readonly waiting: number;
}

/**
 * Finished deliveries are deleted in one transaction per event-loop turn instead of one each: with
 * `synchronous = FULL` every commit is an fsync. A crash before the flush re-delivers those few deliveries
 * after restart, which at-least-once allows; losing one is what it does not allow, and a row is never deleted
 * early. A failed delete keeps its ids for the next flush, tried again after `retryMs` at the latest.
 */
export function createRemovalBatch(
  queue: MessageQueue,
  retryMs: number,
  onError: (error: unknown, waiting: number) => void,
): RemovalBatch {
  let ids: number[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const flush = (): void => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    clearTimeout(retryTimer);
    retryTimer = undefined;
    if (ids.length === 0) return;
    const batch = ids;
    ids = [];
    try {
      queue.remove(batch);
    } catch (error) {
      ids = batch.concat(ids);
      onError(error, ids.length);
      if (!closed) {
        retryTimer = setTimeout(flush, retryMs);
        retryTimer.unref();
      }
    }
  };

  return {
    add(id) {
      if (closed) return;
      ids.push(id);
      scheduled ??= setImmediate(flush);
    },
    close() {
      if (closed) return;
      closed = true;
      flush();
    },
    get waiting() {
      return ids.length;
    },
  };
}
