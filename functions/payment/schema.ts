import { createValidator, type FromSchema } from "@coffee-edge/node18-typescript/validation";
import { CURRENCY_CODES } from "./currencies.js";

/** The largest amount one payment may take, in minor units (10 000.00 in a two-decimal currency). */
export const MAX_AMOUNT = 1_000_000;

/** `POST /`: what the till or kiosk sends. Every string and array is bounded: this is untrusted input. */
export const paymentRequestSchema = {
  type: "object",
  additionalProperties: false,
  required: ["orderId", "store", "amount", "method"],
  properties: {
    orderId: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9._:-]+$" },
    store: { type: "string", minLength: 1, maxLength: 64, pattern: "^[a-z0-9-]+$" },
    amount: {
      type: "object",
      additionalProperties: false,
      required: ["value", "currency"],
      properties: {
        value: { type: "integer", minimum: 1, maximum: MAX_AMOUNT },
        currency: { type: "string", enum: CURRENCY_CODES },
      },
    },
    method: { type: "string", enum: ["card", "wallet", "cash"] },
    // An opaque processor token; printable ASCII only, so it can never smuggle control characters anywhere.
    token: { type: "string", minLength: 1, maxLength: 512, pattern: "^[\\x21-\\x7E]+$" },
    customer: {
      type: "object",
      additionalProperties: false,
      required: ["name"],
      properties: { name: { type: "string", minLength: 1, maxLength: 100 } },
    },
    items: {
      type: "array",
      maxItems: 100,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["sku", "name", "quantity", "unitPrice"],
        properties: {
          sku: { type: "string", minLength: 1, maxLength: 64 },
          name: { type: "string", minLength: 1, maxLength: 100 },
          quantity: { type: "integer", minimum: 1, maximum: 1000 },
          unitPrice: { type: "integer", minimum: 0, maximum: MAX_AMOUNT },
        },
      },
    },
  },
} as const;

export type PaymentRequest = FromSchema<typeof paymentRequestSchema>;
export type Amount = PaymentRequest["amount"];
export type PaymentMethod = PaymentRequest["method"];

export const paymentRequests = createValidator(paymentRequestSchema);

/**
 * `POST /payments/{id}/refund` takes no parameters: refunds are whole. An empty body or `{}` is accepted;
 * anything else (say `{"amount": 100}`, a partial refund) is refused rather than silently refunding all.
 */
export const refundRequestSchema = {
  type: "object",
  additionalProperties: false,
  properties: {},
} as const;

export const refundRequests = createValidator(refundRequestSchema);
