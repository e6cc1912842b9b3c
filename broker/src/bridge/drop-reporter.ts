import type { BridgeLogger } from "./logger.js";
import type { Outbox } from "./outbox.js";

/**
 * Why messages were given up: the outbox policy (old rows deleted, or the new message refused), a message larger
 * than the whole outbox, or a write that failed (disk full, outbox closed).
 */
export type DropCause = "drop-oldest" | "drop-newest" | "too-large" | "write-failed";

export interface DropReporter {
  /** Logs now if nothing was logged for a while, else adds to the next summary line. */
  report(count: number, cause: DropCause): void;
  /** Logs what is still unreported and stops the timer. */
  close(): void;
}

/**
 * A full outbox drops a message per message captured, thousands a second: one line each would bury the log. The
 * first drop is logged at once; later ones are summed and logged every `intervalMs` while drops go on. Counting
 * every drop is the metric's job (the bridge's `dropped` event), not the log's.
 */
export function createDropReporter(logger: BridgeLogger, outbox: Outbox, intervalMs: number): DropReporter {
  const pending = new Map<DropCause, number>();
  let timer: NodeJS.Timeout | undefined;

  const describe = (cause: DropCause): string => {
    const { maxMessages, maxBytes } = outbox.limits;
    if (cause === "write-failed") return "could not be written to the outbox";
    if (cause === "too-large") return `refused: larger than the whole bridge outbox (${maxBytes} bytes)`;
    const which = cause === "drop-oldest" ? "oldest messages dropped" : "new messages refused";
    return `${which}: the bridge outbox is full (${maxMessages} messages / ${maxBytes} bytes, policy ${cause})`;
  };

  const flush = (): boolean => {
    let logged = false;
    for (const [cause, count] of pending) {
      logger.warn(`bridge: ${count} message(s) ${describe(cause)}`, { dropped: count, cause });
      logged = true;
    }
    pending.clear();
    return logged;
  };

  const tick = (): void => {
    // Nothing dropped during the last interval: stop, so the next drop is logged at once again.
    if (!flush()) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    report(count, cause) {
      if (count <= 0) return;
      pending.set(cause, (pending.get(cause) ?? 0) + count);
      if (timer !== undefined) return;
      flush();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    close() {
      clearInterval(timer);
      timer = undefined;
      flush();
    },
  };
}
