import { describe, expect, it } from "vitest";
import { exampleOrder } from "./example-order.js";
import { pdfText } from "./pdf-text.js";
import { renderReceipt } from "./render.js";

// The helper the other tests rely on must itself be able to fail: it reads compressed and plain documents alike
// and finds nothing that is not there.
describe("pdfText, the tests' PDF reader", () => {
  it("reads the same text from a deflated and a plain rendering", async () => {
    const plain = await renderReceipt(exampleOrder, { compress: false });
    const deflated = await renderReceipt(exampleOrder);
    expect(deflated.length).toBeLessThan(plain.length);
    expect(pdfText(deflated)).toBe(pdfText(plain));
    expect(pdfText(plain)).toContain("Espresso");
    expect(pdfText(plain)).not.toContain("Cappuccino");
  });
});
