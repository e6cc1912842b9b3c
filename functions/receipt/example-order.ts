import type { Order } from "./schema.js";

/** A typical order: the README's example, the tests' valid body and the benchmark's document. */
export const exampleOrder: Order = {
  orderId: "ord-2025-000123",
  store: { id: "store042", name: "Coffee Edge Rue Cler" },
  items: [
    { sku: "ESP-SGL", name: "Espresso", quantity: 2, unitPrice: 250 },
    { sku: "FLW-REG", name: "Flat white, oat milk", quantity: 1, unitPrice: 420 },
    { sku: "CRS-BTR", name: "Croissant au beurre", quantity: 3, unitPrice: 180 },
  ],
  totals: { subtotal: 1460, tax: 146, total: 1606, currency: "EUR" },
  customer: { name: "Zoë Martin" },
  paymentId: "pay_7Hq2Xv9KzL",
  paidAt: "2025-03-14T08:15:02Z",
};
