import { describe, expect, it } from "vitest";
import { EntryRing } from "../../src/logs/entry-ring.js";

describe("EntryRing", () => {
  it("keeps the newest `capacity` items, oldest first", () => {
    const ring = new EntryRing<number>(3);
    expect(ring.toArray()).toEqual([]);
    for (const n of [1, 2]) ring.push(n);
    expect(ring.toArray()).toEqual([1, 2]);
    for (const n of [3, 4, 5, 6, 7]) ring.push(n);
    expect(ring.toArray()).toEqual([5, 6, 7]);
    expect(ring.size).toBe(3);
  });

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => new EntryRing(0)).toThrow(RangeError);
    expect(() => new EntryRing(1.5)).toThrow(RangeError);
  });
});
