import { describe, expect, it } from "vitest";
import type { DashboardAlert, FridgeReading, LiveEvent } from "../../src/ui/live-event.js";
import { LiveFeed } from "../../src/ui/live-feed.js";

const reading = (fridge: string, ts: number, tempC = 4): FridgeReading => ({
  type: "reading",
  store: "s1",
  fridge,
  tempC,
  ts,
});
const alert = (id: string): DashboardAlert => ({
  type: "alert",
  id,
  source: "fridge",
  store: "s1",
  device: "f1",
  status: "critical",
  message: "Warning: Too hot!",
  at: "2026-12-03T08:00:00Z",
});

describe("LiveFeed", () => {
  it("keeps each fridge's readings within the history window and the per-fridge cap", () => {
    let now = 10_000_000;
    const feed = new LiveFeed({ historyMs: 60_000, maxReadingsPerFridge: 3, now: () => now });
    for (let i = 0; i < 5; i++) feed.publish(reading("f1", now - 1000 + i));
    feed.publish(reading("f2", now - 120_000));
    expect(feed.snapshot().fridges).toEqual([
      { store: "s1", fridge: "f1", ts: [now - 998, now - 997, now - 996], tempC: [4, 4, 4] },
    ]);
    // A minute later the three are past the window: only the new reading is left.
    now += 60_000;
    feed.publish(reading("f1", now));
    expect(feed.snapshot().fridges.map((series) => series.ts)).toEqual([[now]]);
  });

  it("keeps a fridge's readings in time order when they arrive out of order", () => {
    const feed = new LiveFeed({ now: () => 10_000 });
    for (const [ts, tempC] of [
      [3000, 3],
      [1000, 1],
      [2000, 2],
    ] as const)
      feed.publish(reading("f1", ts, tempC));
    expect(feed.snapshot().fridges[0]).toMatchObject({ ts: [1000, 2000, 3000], tempC: [1, 2, 3] });
  });

  it("follows at most maxFridges fridges, yet passes every reading on live", () => {
    const feed = new LiveFeed({ maxFridges: 1 });
    const seen: LiveEvent[] = [];
    feed.listen((event) => seen.push(event));
    feed.publish(reading("f1", Date.now()));
    feed.publish(reading("f2", Date.now()));
    expect(feed.snapshot().fridges.map((series) => series.fridge)).toEqual(["f1"]);
    expect(seen).toHaveLength(2);
  });

  it("shows a redelivered alert once and keeps the newest maxAlerts", () => {
    const feed = new LiveFeed({ maxAlerts: 2 });
    const seen: LiveEvent[] = [];
    feed.listen((event) => seen.push(event));
    for (const id of ["a", "a", "b", "c"]) feed.publish(alert(id));
    expect(seen.map((event) => (event as DashboardAlert).id)).toEqual(["a", "b", "c"]);
    expect(feed.snapshot().alerts.map((a) => a.id)).toEqual(["b", "c"]);
  });

  it("stops a listener on request, and ends every stream when it closes", async () => {
    const feed = new LiveFeed();
    const closed: string[] = [];
    const stop = feed.listen(
      () => {},
      () => closed.push("first"),
    );
    feed.listen(
      () => {},
      () => closed.push("second"),
    );
    stop();
    expect(feed.listeners).toBe(1);
    feed.close();
    expect(closed).toEqual(["second"]);
    expect(feed.listeners).toBe(0);
    // A page that connects while the gateway stops is ended at once rather than left holding the drain.
    feed.listen(
      () => {},
      () => closed.push("late"),
    );
    await Promise.resolve();
    expect(closed).toEqual(["second", "late"]);
    expect(feed.listeners).toBe(0);
  });
});
