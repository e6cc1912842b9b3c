import { describe, expect, it } from "vitest";
import { createMoneyFormatter } from "./money.js";

describe("createMoneyFormatter", () => {
  it.each([
    { case: "EUR has two minor digits", locale: "en-US", currency: "EUR", minor: 123456, expected: "€1,234.56" },
    { case: "cents below one unit keep their zeros", locale: "en-US", currency: "USD", minor: 5, expected: "$0.05" },
    { case: "zero", locale: "en-US", currency: "USD", minor: 0, expected: "$0.00" },
    { case: "JPY has none", locale: "en-US", currency: "JPY", minor: 1234, expected: "¥1,234" },
    { case: "KWD has three", locale: "en-US", currency: "KWD", minor: 1234567, expected: "KWD\u00a01,234.567" },
    {
      case: "the locale places symbol and separators",
      locale: "de-DE",
      currency: "EUR",
      minor: 123456,
      expected: "1.234,56\u00a0€",
    },
    {
      case: "the largest amounts keep every digit",
      locale: "en-US",
      currency: "EUR",
      minor: 2_000_000_000_000_001,
      expected: "€20,000,000,000,000.01",
    },
  ])("$case", ({ locale, currency, minor, expected }) => {
    expect(createMoneyFormatter(locale, currency)(minor)).toBe(expected);
  });

  it("refuses a negative amount rather than printing it wrongly", () => {
    expect(() => createMoneyFormatter("en-US", "EUR")(-1)).toThrow(RangeError);
  });
});
