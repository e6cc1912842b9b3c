import { createValidator, type FromSchema } from "@coffee-edge/node18-typescript/validation";

// Identifiers become SQL parameters, JSON keys and log fields: a closed alphabet keeps them safe in all
// three (no `/` or MQTT wildcards, no `__proto__`, nothing a terminal would interpret) and bounds their size.

/** A store id such as `store042`, as in the MQTT topics `store/{storeId}/…`. */
const storeId = { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9][A-Za-z0-9_-]*$" } as const;

/** A stock-keeping unit such as `BEANS-ESP-1KG`. */
const sku = { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$" } as const;

/** An order id from the till: a UUID, a ULID, `store042-000123`… */
const orderId = { type: "string", minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]*$" } as const;

/** Stock levels fit PostgreSQL's INTEGER with room to spare. */
const MAX_STOCK = 1_000_000_000;

export const MAX_ORDER_LINES = 100;
export const MAX_LINE_QUANTITY = 10_000;

export const reservationSchema = {
  type: "object",
  properties: {
    orderId,
    store: storeId,
    items: {
      type: "array",
      minItems: 1,
      maxItems: MAX_ORDER_LINES,
      items: {
        type: "object",
        properties: {
          sku,
          quantity: { type: "integer", minimum: 1, maximum: MAX_LINE_QUANTITY },
        },
        required: ["sku", "quantity"],
        additionalProperties: false,
      },
    },
  },
  required: ["orderId", "store", "items"],
  additionalProperties: false,
} as const;

export type ReservationRequest = FromSchema<typeof reservationSchema>;
export const reservationRequest = createValidator(reservationSchema);

export const restockSchema = {
  type: "object",
  properties: {
    store: storeId,
    sku,
    quantity: { type: "integer", minimum: 0, maximum: MAX_STOCK },
    lowStockThreshold: { type: "integer", minimum: 0, maximum: MAX_STOCK },
  },
  required: ["store", "sku", "quantity", "lowStockThreshold"],
  additionalProperties: false,
} as const;

/** `PUT /stock`: the absolute stock level and threshold of one sku in one store. */
export type StockItem = FromSchema<typeof restockSchema>;
export const restockRequest = createValidator(restockSchema);

export const stockQuerySchema = {
  type: "object",
  properties: { store: storeId, sku },
  required: ["store"],
  additionalProperties: false,
} as const;

export type StockQuery = FromSchema<typeof stockQuerySchema>;
export const stockQuery = createValidator(stockQuerySchema);
