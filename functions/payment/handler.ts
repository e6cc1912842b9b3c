import { createHandler, defaultDeps } from "./payment-function.js";

export { createHandler, defaultDeps, openPaymentStore, type PaymentDeps } from "./payment-function.js";

/** The deployed function: configuration from the environment (checked now, at start), store opened lazily. */
export default createHandler(defaultDeps());
