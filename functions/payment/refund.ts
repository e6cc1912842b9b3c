import type { FunctionEvent } from "@coffee-edge/node18-typescript";
import { step } from "@coffee-edge/node18-typescript/steps";
import type { PaymentDeps } from "./deps.js";
import { existingPayment } from "./lookup.js";
import { abandonRefund, beginRefund, completeRefund, type Payment } from "./payment-records.js";
import { alreadyRefunded, processorUnavailable, refundInProgress } from "./problems.js";
import { refundRequests } from "./schema.js";

/**
 * `POST /payments/{id}/refund`: refunds the whole amount, once. The payment is marked `refunding` by a
 * conditional UPDATE before the processor is asked, so of concurrent refunds exactly one reaches it.
 */
export async function refundPayment(deps: PaymentDeps, event: FunctionEvent, paymentId: string): Promise<Payment> {
  if (event.body !== undefined) await step("validate", () => refundRequests.body(event));
  const store = await deps.store();
  const stored = await existingPayment(store, paymentId);
  if (stored.state === "refunded") throw alreadyRefunded(paymentId);

  if (!(await step("store", () => beginRefund(store, paymentId)))) {
    // Someone else got there first: say what they achieved.
    const now = await existingPayment(store, paymentId);
    throw now.state === "refunded" ? alreadyRefunded(paymentId) : refundInProgress(paymentId);
  }
  try {
    await step("processor", () =>
      deps.processor.refund({ paymentId, reference: stored.reference, amount: stored.payment.amount }),
    );
  } catch (error) {
    await step("store", () => abandonRefund(store, paymentId));
    throw processorUnavailable("refund", error);
  }
  const refundedAt = deps.clock().toISOString();
  await step("store", () => completeRefund(store, paymentId, refundedAt));
  return { ...stored.payment, status: "refunded", refundedAt };
}
