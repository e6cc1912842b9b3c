import type { Amount, PaymentMethod } from "./schema.js";

/** What the function asks a payment processor to capture. */
export interface ChargeRequest {
  readonly paymentId: string;
  readonly orderId: string;
  readonly store: string;
  readonly amount: Amount;
  readonly method: PaymentMethod;
  readonly token: string | undefined;
  /** Passed on so a real processor can deduplicate too, should a retry ever reach it twice. */
  readonly idempotencyKey: string;
}

/** Why a processor refused a charge; each maps to a 402 problem type of the same name. */
export type DeclineReason = "insufficient-funds" | "card-declined";

export type ChargeOutcome =
  | { readonly outcome: "approved"; readonly reference: string }
  | { readonly outcome: "declined"; readonly reason: DeclineReason };

export interface RefundRequest {
  readonly paymentId: string;
  /** The processor's own reference of the charge, as `charge` returned it. */
  readonly reference: string;
  readonly amount: Amount;
}

/**
 * The adapter between this function and whoever moves the money. A decline is an answer, not an error;
 * `charge` or `refund` rejecting means the processor could not be asked (down, timed out): the function
 * answers 502 and records nothing, so the client may retry.
 */
export interface PaymentProcessor {
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  refund(request: RefundRequest): Promise<void>;
}
