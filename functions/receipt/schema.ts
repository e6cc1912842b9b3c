import { createValidator, type FromSchema } from "@coffee-edge/node18-typescript/validation";

// Bounds keep every sum exact in a double: 200 items × 10 000 × 1 000 000 000 < 2^53, and 1e15 + 1e15 < 2^53.
export const MAX_ITEMS = 200;
export const MAX_QUANTITY = 10_000;
export const MAX_UNIT_PRICE = 1_000_000_000;
export const MAX_AMOUNT = 1_000_000_000_000_000;

/** Printable text: no control characters (they would garble the PDF text and the filename). */
const text = (maxLength: number) =>
  ({ type: "string", minLength: 1, maxLength, pattern: "^[^\\u0000-\\u001f\\u007f-\\u009f]+$" }) as const;

const amount = { type: "integer", minimum: 0, maximum: MAX_AMOUNT } as const;

export const orderSchema = {
  type: "object",
  additionalProperties: false,
  required: ["orderId", "store", "items", "totals", "paymentId", "paidAt"],
  properties: {
    orderId: text(64),
    store: {
      type: "object",
      additionalProperties: false,
      required: ["id", "name"],
      properties: { id: text(64), name: text(120) },
    },
    items: {
      type: "array",
      minItems: 1,
      maxItems: MAX_ITEMS,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["sku", "name", "quantity", "unitPrice"],
        properties: {
          sku: text(64),
          name: text(120),
          quantity: { type: "integer", minimum: 1, maximum: MAX_QUANTITY },
          unitPrice: { type: "integer", minimum: 0, maximum: MAX_UNIT_PRICE },
        },
      },
    },
    totals: {
      type: "object",
      additionalProperties: false,
      required: ["subtotal", "tax", "total", "currency"],
      properties: {
        subtotal: amount,
        tax: amount,
        total: amount,
        currency: { type: "string", pattern: "^[A-Z]{3}$" },
      },
    },
    customer: {
      type: "object",
      additionalProperties: false,
      required: ["name"],
      properties: { name: text(120) },
    },
    paymentId: text(128),
    paidAt: { type: "string", format: "date-time", maxLength: 64 },
  },
} as const;

export type Order = FromSchema<typeof orderSchema>;
export type OrderItem = Order["items"][number];

export const orderValidator = createValidator(orderSchema);
