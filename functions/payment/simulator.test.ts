import { describe, expect, it } from "vitest";
import type { ChargeRequest } from "./processor.js";
import { createSimulatedProcessor } from "./simulator.js";

const request = (token: string | undefined): ChargeRequest => ({
  paymentId: "pay_1",
  orderId: "o1",
  store: "store042",
  amount: { value: 450, currency: "EUR" },
  method: token === undefined ? "cash" : "card",
  token,
  idempotencyKey: "o1",
});

describe("the simulated processor", () => {
  const processor = createSimulatedProcessor();

  it("declines tok_insufficient_funds for insufficient funds", async () => {
    expect(await processor.charge(request("tok_insufficient_funds"))).toEqual({
      outcome: "declined",
      reason: "insufficient-funds",
    });
  });

  it("declines tok_declined as a declined card", async () => {
    expect(await processor.charge(request("tok_declined"))).toEqual({ outcome: "declined", reason: "card-declined" });
  });

  it.each([["tok_visa"], [undefined], ["__proto__"], ["constructor"], ["toString"]])(
    "approves anything else (token %s) with a fresh reference",
    async (token) => {
      const first = await processor.charge(request(token));
      const second = await processor.charge(request(token));
      expect(first).toEqual({ outcome: "approved", reference: expect.stringMatching(/^sim_[0-9a-f]{16}$/) });
      expect(second).not.toEqual(first);
    },
  );

  it("refunds anything", async () => {
    await expect(
      processor.refund({ paymentId: "pay_1", reference: "sim_1", amount: { value: 1, currency: "EUR" } }),
    ).resolves.toBeUndefined();
  });
});
