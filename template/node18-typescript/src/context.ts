import type { FailureOrigin } from "./answer-problem.js";
import type { FunctionContext, HeaderValues } from "./types.js";

/** The single answer a handler gives. */
export type Answer =
  | { readonly kind: "success"; readonly value: unknown }
  | { readonly kind: "failure"; readonly value: unknown; readonly origin: FailureOrigin };

export interface ReplyContextHooks {
  /** Called once, with the first answer. */
  onAnswer(answer: Answer): void;
  /** Called for every later attempt to answer, which is ignored. */
  onIgnoredAnswer(attempt: Answer): void;
}

/** `FunctionContext` with node18's fluent setters, answering at most once. */
export class ReplyContext implements FunctionContext {
  #status = 200;
  #headers: HeaderValues = {};
  #answered = false;
  readonly #hooks: ReplyContextHooks;

  constructor(hooks: ReplyContextHooks) {
    this.#hooks = hooks;
  }

  status(code: number): FunctionContext;
  status(): number;
  status(code?: number): FunctionContext | number {
    if (code === undefined) return this.#status;
    if (!Number.isInteger(code) || code < 200 || code > 599) {
      throw new RangeError(`context.status(${String(code)}): expected an HTTP status from 200 to 599`);
    }
    this.#status = code;
    return this;
  }

  headers(values: HeaderValues): FunctionContext;
  headers(): HeaderValues;
  headers(values?: HeaderValues): FunctionContext | HeaderValues {
    if (values === undefined) return this.#headers;
    this.#headers = { ...values };
    return this;
  }

  succeed(value?: unknown): void {
    this.settle({ kind: "success", value });
  }

  fail(value?: unknown): void {
    this.settle({ kind: "failure", value, origin: "fail" });
  }

  get answered(): boolean {
    return this.#answered;
  }

  /** Gives `answer` unless the handler has answered already, in which case it is reported as ignored. */
  settle(answer: Answer): void {
    if (this.#answered) {
      this.#hooks.onIgnoredAnswer(answer);
      return;
    }
    this.#answered = true;
    this.#hooks.onAnswer(answer);
  }
}
