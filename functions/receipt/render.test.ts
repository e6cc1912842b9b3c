import { describe, expect, it } from "vitest";
import { exampleOrder } from "./example-order.js";
import { infoDate, pdfText, pdfTextRuns } from "./pdf-text.js";
import { renderReceipt } from "./render.js";
import type { Order } from "./schema.js";

function endsWithEof(pdf: Buffer): boolean {
  return pdf.subarray(-16).toString("latin1").trimEnd().endsWith("%%EOF");
}

describe("renderReceipt", () => {
  it("writes a complete PDF document", async () => {
    const pdf = await renderReceipt(exampleOrder);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(endsWithEof(pdf)).toBe(true);
  });

  it("gives the same bytes for the same order, rendering after rendering", async () => {
    const first = await renderReceipt(exampleOrder);
    const second = await renderReceipt(structuredClone(exampleOrder));
    expect(second.equals(first)).toBe(true);
  });

  it("gives different bytes, and a different file ID, for a different order", async () => {
    const first = await renderReceipt(exampleOrder);
    const other = await renderReceipt({ ...exampleOrder, orderId: "ord-2025-000124" });
    expect(other.equals(first)).toBe(false);
    expect(fileId(other)).not.toBe(fileId(first));
  });

  it("dates the document from paidAt, not from the clock", async () => {
    const pdf = await renderReceipt(exampleOrder, { compress: false });
    expect(infoDate(pdf, "CreationDate")).toBe("D:20250314081502Z");
    expect(infoDate(pdf, "ModDate")).toBe("D:20250314081502Z");
  });

  it("prints the store, order, customer, payment, time, items and totals", async () => {
    const text = pdfText(await renderReceipt(exampleOrder, { compress: false }));
    for (const expected of [
      "Coffee Edge Rue Cler",
      "Store store042",
      "Receipt for order ord-2025-000123",
      "Paid Mar 14, 2025, 8:15:02 AM UTC",
      "Customer: Zoë Martin",
      "Espresso",
      "2 × €2.50   SKU ESP-SGL",
      "€5.00",
      "Flat white, oat milk",
      "Croissant au beurre",
      "3 × €1.80   SKU CRS-BTR",
      "€14.60",
      "€1.46",
      "Total (EUR)",
      "€16.06",
      "Payment pay_7Hq2Xv9KzL",
    ]) {
      expect(text).toContain(expected);
    }
  });

  it("leaves the customer line out when the order has no customer", async () => {
    const { customer: _customer, ...anonymous } = exampleOrder;
    const text = pdfText(await renderReceipt(anonymous, { compress: false }));
    expect(text).not.toContain("Customer");
    expect(text).toContain("€16.06");
  });

  it("prints the time in the configured zone and amounts in the configured locale", async () => {
    const text = pdfText(
      await renderReceipt(exampleOrder, { compress: false, timeZone: "Europe/Paris", locale: "de-DE" }),
    );
    expect(text).toContain("14.03.2025, 09:15:02 MEZ");
    // de-DE puts a no-break space (which WinAnsi has) between amount and symbol.
    expect(text).toContain("16,06\u00a0€");
  });

  it("writes amounts with the currency's own minor digits", async () => {
    const yen: Order = {
      ...exampleOrder,
      items: [{ sku: "MAT-L", name: "Matcha latte", quantity: 2, unitPrice: 650 }],
      totals: { subtotal: 1300, tax: 130, total: 1430, currency: "JPY" },
    };
    const text = pdfText(await renderReceipt(yen, { compress: false }));
    expect(text).toContain("¥1,430");
    expect(text).toContain("2 × ¥650");
  });

  it("replaces what Helvetica cannot show instead of printing garbage", async () => {
    const text = pdfText(
      await renderReceipt({ ...exampleOrder, customer: { name: "Łukasz 李 ﬁ" } }, { compress: false }),
    );
    expect(text).toContain("Customer: ?ukasz ? fi");
  });

  it("flows 200 long items over several pages, each continuation page saying whose receipt it is", async () => {
    const items = Array.from({ length: 200 }, (_, index) => ({
      sku: `SKU-${index}`,
      name: `Item ${index} ${"with a long description ".repeat(5)}`,
      quantity: 10_000,
      unitPrice: 1_000_000_000,
    }));
    const subtotal = 200 * 10_000 * 1_000_000_000;
    const big: Order = { ...exampleOrder, items, totals: { subtotal, tax: 0, total: subtotal, currency: "EUR" } };
    const pdf = await renderReceipt(big, { compress: false });
    const pages = pdf.toString("latin1").match(/\/Type \/Page\n/g)?.length ?? 0;
    expect(pages).toBeGreaterThan(5);
    const runs = pdfTextRuns(pdf);
    expect(runs.filter((run) => run === "Receipt for order ord-2025-000123 (continued)")).toHaveLength(pages - 1);
    expect(runs.some((run) => run.startsWith("Item 199 with a long description"))).toBe(true);
    expect(runs).toContain("€20,000,000,000,000.00");
  });
});

function fileId(pdf: Buffer): string | undefined {
  return /\/ID \[<([0-9a-f]+)>/.exec(pdf.toString("latin1"))?.[1];
}
