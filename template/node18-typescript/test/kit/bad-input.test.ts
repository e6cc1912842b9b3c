import { describe, expect, it } from "vitest";
import { badJsonBodies } from "../../src/bad-input.js";
import { createValidator } from "../../src/kit/validation.js";

const schema = {
  type: "object",
  additionalProperties: false,
  required: ["orderId", "items"],
  properties: {
    orderId: { type: "string", maxLength: 64 },
    note: { type: "string", maxLength: 10 },
    items: {
      type: "array",
      maxItems: 5,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["sku", "quantity"],
        properties: { sku: { type: "string", maxLength: 20 }, quantity: { type: "integer", minimum: 1 } },
      },
    },
  },
} as const;
const validator = createValidator(schema);
const valid = { orderId: "o-1", note: "hi", items: [{ sku: "beans", quantity: 2 }] };

describe("badJsonBodies", () => {
  const bodies = badJsonBodies(valid, { accepts: validator.check });

  it("makes at least 500 bodies, none of which the schema accepts", () => {
    expect(bodies.length).toBeGreaterThanOrEqual(500);
    for (const { body, label } of bodies) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body));
      } catch {
        continue; // not JSON, or not UTF-8: the shell refuses it (it keeps a BOM, as JSON.parse does not allow one)
      }
      expect(validator.check(parsed), label).toBe(false);
    }
  });

  it("covers the families the issue names", () => {
    const labels = bodies.map((body) => body.label).join("\n");
    for (const family of [
      /the empty body/,
      /is missing/,
      /unknown member/,
      /__proto__/,
      /huge number/,
      /nested arrays/,
      /invalid UTF-8/,
      /is a string/,
      /cut after/,
    ]) {
      expect(labels).toMatch(family);
    }
  });

  it("is deterministic and leaves the example untouched", () => {
    const again = badJsonBodies(valid, { accepts: validator.check });
    expect(again.map((body) => body.body.toString("base64"))).toEqual(
      bodies.map((body) => body.body.toString("base64")),
    );
    expect(valid).toEqual({ orderId: "o-1", note: "hi", items: [{ sku: "beans", quantity: 2 }] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
