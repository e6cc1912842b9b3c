import { randomBytes } from "node:crypto";
import type { ChargeOutcome, ChargeRequest, DeclineReason, PaymentProcessor } from "./processor.js";

/** Tokens that make the simulator decline, as processors' test cards do; every other charge is approved. */
// A Map, not an object literal: a token such as `__proto__` or `constructor` must not find a prototype member.
export const SIMULATED_DECLINES: ReadonlyMap<string, DeclineReason> = new Map([
  ["tok_insufficient_funds", "insufficient-funds"],
  ["tok_declined", "card-declined"],
]);

/**
 * The built-in processor: deterministic, in memory, no network. Its outcome depends on the token alone,
 * so tests and demos can ask for each answer; the reference it returns is random, as a real one would be.
 */
export function createSimulatedProcessor(): PaymentProcessor {
  return {
    async charge(request: ChargeRequest): Promise<ChargeOutcome> {
      const reason = request.token === undefined ? undefined : SIMULATED_DECLINES.get(request.token);
      if (reason !== undefined) return { outcome: "declined", reason };
      return { outcome: "approved", reference: `sim_${randomBytes(8).toString("hex")}` };
    },
    async refund(): Promise<void> {},
  };
}
