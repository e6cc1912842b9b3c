import { step } from "@coffee-edge/node18-typescript/steps";
import type { Store } from "@coffee-edge/node18-typescript/store";
import type { PaymentDeps } from "./deps.js";
import { findPayment, type Payment, type StoredPayment } from "./payment-records.js";
import { paymentNotFound } from "./problems.js";

/** Ids this function could have issued; anything else is unknown without asking the database. */
const PAYMENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** `GET /payments/{id}`: the payment as it stands. */
export async function lookUpPayment(deps: PaymentDeps, paymentId: string): Promise<Payment> {
  const store = await deps.store();
  return (await existingPayment(store, paymentId)).payment;
}

/** The stored payment, or a 404 problem. */
export async function existingPayment(store: Store, paymentId: string): Promise<StoredPayment> {
  const stored = PAYMENT_ID_PATTERN.test(paymentId)
    ? await step("store", () => findPayment(store, paymentId))
    : undefined;
  if (stored === undefined) throw paymentNotFound();
  return stored;
}
