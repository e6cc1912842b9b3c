import { type Answer, ReplyContext } from "./context.js";
import type { FunctionEvent, Handler } from "./types.js";

export interface HandlerOutcome {
  readonly answer: Answer;
  readonly context: ReplyContext;
}

/**
 * Runs the handler and resolves with its first answer: `succeed`/`fail`, else its return value (as `succeed`),
 * else what it threw or rejected with. Later answers go to `onIgnoredAnswer`, as node18's `cbCalled` guard
 * does, but are reported instead of failing with "headers already sent".
 */
export function runHandler(
  handler: Handler,
  event: FunctionEvent,
  onIgnoredAnswer: (attempt: Answer) => void,
): Promise<HandlerOutcome> {
  return new Promise((resolve) => {
    const context: ReplyContext = new ReplyContext({
      onAnswer: (answer) => resolve({ answer, context }),
      onIgnoredAnswer,
    });
    let returned: unknown;
    try {
      returned = handler(event, context);
    } catch (error) {
      context.settle(thrown(error));
      return;
    }
    // The settling callbacks are only needed (and only allocated) for handlers that answer asynchronously.
    if (isThenable(returned)) {
      returned.then(
        (value) => settleReturned(context, value),
        (error: unknown) => context.settle(thrown(error)),
      );
    } else {
      settleReturned(context, returned);
    }
  });
}

function settleReturned(context: ReplyContext, value: unknown): void {
  // `return context.succeed(x)` returns undefined after answering: nothing more to report.
  if (!context.answered || value !== undefined) context.settle({ kind: "success", value });
}

function thrown(error: unknown): Answer {
  return { kind: "failure", value: error, origin: "throw" };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}
