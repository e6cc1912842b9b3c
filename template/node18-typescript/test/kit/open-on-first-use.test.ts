import { describe, expect, it } from "vitest";
import { openOnFirstUse } from "../../src/kit/store/index.js";

describe("openOnFirstUse", () => {
  it("opens once and shares the result, also with calls made while it is opening", async () => {
    let opened = 0;
    const get = openOnFirstUse(async () => ++opened);
    expect(await Promise.all([get(), get()])).toEqual([1, 1]);
    expect(await get()).toBe(1);
    expect(opened).toBe(1);
  });

  it("forgets a failure, so the next call opens again", async () => {
    let attempts = 0;
    const get = openOnFirstUse(async () => {
      attempts++;
      if (attempts === 1) throw new Error("database down");
      return "store";
    });
    await expect(get()).rejects.toThrow("database down");
    expect(await get()).toBe("store");
    expect(await get()).toBe("store");
    expect(attempts).toBe(2);
  });
});
