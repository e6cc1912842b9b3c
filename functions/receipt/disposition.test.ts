import { describe, expect, it } from "vitest";
import { receiptDisposition } from "./disposition.js";

describe("receiptDisposition", () => {
  it.each([
    {
      case: "a plain id is kept",
      orderId: "ord-2025.000123_A",
      expected: 'inline; filename="receipt-ord-2025.000123_A.pdf"',
    },
    {
      case: "quotes, slashes and spaces are replaced",
      orderId: 'a"b/c\\d e',
      expected: 'inline; filename="receipt-a_b_c_d_e.pdf"',
    },
    { case: "non-ASCII is replaced", orderId: "café☕", expected: 'inline; filename="receipt-caf__.pdf"' },
    {
      case: "a path climb goes nowhere",
      orderId: "../../etc/passwd",
      expected: 'inline; filename="receipt-.._.._etc_passwd.pdf"',
    },
  ])("$case", ({ orderId, expected }) => {
    expect(receiptDisposition(orderId)).toBe(expected);
  });
});
