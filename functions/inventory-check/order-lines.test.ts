import { describe, expect, it } from "vitest";
import { orderFingerprint, orderLines } from "./order-lines.js";

describe("orderLines", () => {
  it("sums duplicate skus and sorts by sku in code-unit order", () => {
    expect(
      orderLines([
        { sku: "milk", quantity: 1 },
        { sku: "MILK", quantity: 2 },
        { sku: "BEANS", quantity: 3 },
        { sku: "milk", quantity: 4 },
      ]),
    ).toEqual([
      { sku: "BEANS", quantity: 3 },
      { sku: "MILK", quantity: 2 },
      { sku: "milk", quantity: 5 },
    ]);
  });
});

describe("orderFingerprint", () => {
  const lines = orderLines([
    { sku: "A", quantity: 1 },
    { sku: "B", quantity: 2 },
  ]);

  it("is the same for the same lines however they were listed", () => {
    const relisted = orderLines([
      { sku: "B", quantity: 1 },
      { sku: "A", quantity: 1 },
      { sku: "B", quantity: 1 },
    ]);
    expect(orderFingerprint("store042", relisted)).toBe(orderFingerprint("store042", lines));
  });

  it.each([
    ["another store", "store007", lines],
    [
      "another quantity",
      "store042",
      orderLines([
        { sku: "A", quantity: 1 },
        { sku: "B", quantity: 3 },
      ]),
    ],
    [
      "another sku",
      "store042",
      orderLines([
        { sku: "A", quantity: 1 },
        { sku: "C", quantity: 2 },
      ]),
    ],
    ["a line fewer", "store042", orderLines([{ sku: "A", quantity: 1 }])],
  ])("differs for %s", (_label, store, other) => {
    expect(orderFingerprint(store, other)).not.toBe(orderFingerprint("store042", lines));
  });
});
