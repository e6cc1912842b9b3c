import { ProblemError, problemType } from "@coffee-edge/node18-typescript";
import type { DeclineReason } from "./processor.js";

/** The payment function's own problems, in one place so their types and titles stay stable. */

const DECLINE_TITLES: Readonly<Record<DeclineReason, string>> = {
  "insufficient-funds": "Insufficient balance",
  "card-declined": "Card declined",
};

const DECLINE_DETAILS: Readonly<Record<DeclineReason, string>> = {
  "insufficient-funds": "The payment method does not have enough funds for this amount.",
  "card-declined": "The processor declined the payment method.",
};

/** 402: the processor refused the charge. A final answer: it is recorded and replayed for the same key. */
export function declined(reason: DeclineReason, orderId: string): ProblemError {
  return new ProblemError(402, {
    type: problemType(reason),
    title: DECLINE_TITLES[reason],
    detail: DECLINE_DETAILS[reason],
    extensions: { orderId },
  });
}

/**
 * 502: the processor could not be asked. Nothing was recorded, so the same request may be sent again.
 * The cause stays out of the answer (and the shell logs only the detail): a processor's error may quote a token.
 */
export function processorUnavailable(operation: "charge" | "refund", cause: unknown): ProblemError {
  const outcome = operation === "charge" ? "no payment was recorded" : "the payment was not refunded";
  return new ProblemError(502, {
    type: problemType("processor-unavailable"),
    title: "Payment processor unavailable",
    detail: `The payment processor did not answer; ${outcome}. Retry the same request.`,
    cause,
  });
}

export function idempotencyKeyReused(): ProblemError {
  return new ProblemError(409, {
    type: problemType("idempotency-key-reused"),
    title: "Idempotency key reused",
    detail: "This Idempotency-Key was used for a different request; use a new key for a new payment.",
  });
}

/** 409 with Retry-After: the first request with this key has not finished yet. */
export function requestInProgress(): ProblemError {
  return new ProblemError(409, {
    type: problemType("request-in-progress"),
    title: "Request in progress",
    detail: "A request with this Idempotency-Key is still being processed; retry it shortly.",
    headers: { "retry-after": "1" },
  });
}

export function invalidIdempotencyKey(): ProblemError {
  return new ProblemError(400, {
    type: problemType("invalid-idempotency-key"),
    title: "Invalid Idempotency-Key",
    detail: "Idempotency-Key must be 1 to 255 printable ASCII characters.",
  });
}

export function paymentNotFound(): ProblemError {
  return new ProblemError(404, {
    type: problemType("payment-not-found"),
    title: "Payment not found",
    detail: "There is no payment with this id.",
  });
}

export function alreadyRefunded(paymentId: string): ProblemError {
  return new ProblemError(409, {
    type: problemType("already-refunded"),
    title: "Payment already refunded",
    detail: "This payment has been refunded already; a payment is refunded at most once.",
    extensions: { paymentId },
  });
}

/** 409 with Retry-After: another refund of this payment is being processed right now. */
export function refundInProgress(paymentId: string): ProblemError {
  return new ProblemError(409, {
    type: problemType("request-in-progress"),
    title: "Request in progress",
    detail: "A refund of this payment is being processed; retry shortly to see its outcome.",
    extensions: { paymentId },
    headers: { "retry-after": "1" },
  });
}

export function routeNotFound(path: string): ProblemError {
  return new ProblemError(404, {
    type: problemType("not-found"),
    title: "Not found",
    // Bounded: the path is the client's own text.
    detail: `Nothing is served at ${path.slice(0, 100)}.`,
  });
}

export function methodNotAllowed(method: string, allowed: readonly string[]): ProblemError {
  return new ProblemError(405, {
    type: problemType("method-not-allowed"),
    title: "Method not allowed",
    detail: `${method} is not allowed here; use ${allowed.join(" or ")}.`,
    headers: { allow: allowed.join(", ") },
  });
}
