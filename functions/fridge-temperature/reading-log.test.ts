import { describe, expect, it } from "vitest";
import { logReading } from "./reading-log.js";
import { databaseTargets } from "./test-support.js";

const targets = await databaseTargets();

describe.each(targets)("the readings log, on $name", (target) => {
  it("keeps each (fridge, time) once and only the newest readings of each fridge", async () => {
    const store = await target.open();
    try {
      const at = (minute: number) => `2025-03-01T08:0${minute}:00.000Z`;
      for (const [fridge, minute, tempC] of [
        ["f1", 1, 3],
        ["f1", 2, 3.5],
        ["f1", 2, 9], // a redelivery of minute 2 with another value: the first one stays
        ["f2", 0, 4],
        ["f1", 3, 4],
        ["f1", 4, 4.5],
        ["f1", 0, 2], // older than every kept one: pruned at once
      ] as const) {
        await store.transaction((tx) => logReading(tx, { store: "s1", fridge, at: at(minute), tempC }, 3));
      }
      const rows = await store.all<{ fridge_id: string; at: string; temp_c: number }>(
        "SELECT fridge_id, at, temp_c FROM fridge_readings ORDER BY fridge_id, at",
      );
      expect(rows).toEqual([
        { fridge_id: "f1", at: at(2), temp_c: 3.5 },
        { fridge_id: "f1", at: at(3), temp_c: 4 },
        { fridge_id: "f1", at: at(4), temp_c: 4.5 },
        { fridge_id: "f2", at: at(0), temp_c: 4 },
      ]);
    } finally {
      await store.close();
    }
  });
});
