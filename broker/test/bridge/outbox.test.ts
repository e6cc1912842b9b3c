import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Outbox, type OutboxOptions, openOutbox } from "../../src/bridge/outbox.js";
import { removeTempDirs, STORE_ID, tempDir } from "./helpers.js";

const opened: Outbox[] = [];

afterEach(async () => {
  for (const outbox of opened.splice(0)) outbox.close();
  await removeTempDirs();
});

async function outboxFile(): Promise<string> {
  // A folder that does not exist yet: the outbox must create it.
  return path.join(await tempDir(), "data", "outbox.db");
}

function open(options: OutboxOptions): Outbox {
  const outbox = openOutbox(options);
  opened.push(outbox);
  return outbox;
}

function reopen(outbox: Outbox, options: OutboxOptions): Outbox {
  outbox.close();
  return open(options);
}

const labels = (outbox: Outbox) => outbox.peek(1000).map((row) => row.payload.toString());

describe("the bridge outbox", () => {
  it("returns rows oldest first, pages after a sequence number and removes by seq or up to one", async () => {
    const outbox = open({ file: await outboxFile(), maxMessages: 100, maxBytes: 1_000_000, policy: "drop-oldest" });
    const seqs = ["a", "b", "c", "d", "e"].map((label, i) => outbox.add(`t/${i}`, Buffer.from(label), 1).seq);
    expect(seqs.every((seq) => seq !== null)).toBe(true);
    expect(labels(outbox)).toEqual(["a", "b", "c", "d", "e"]);

    const firstTwo = outbox.peek(2);
    expect(firstTwo.map((row) => [row.topic, row.payload.toString(), row.qos])).toEqual([
      ["t/0", "a", 1],
      ["t/1", "b", 1],
    ]);
    const [, second] = firstTwo;
    expect(outbox.peek(2, second?.seq).map((row) => row.payload.toString())).toEqual(["c", "d"]);

    expect(outbox.remove([seqs[1] as number, seqs[3] as number, 999_999])).toBe(2);
    expect(labels(outbox)).toEqual(["a", "c", "e"]);
    expect(outbox.removeUpTo(seqs[2] as number)).toBe(2);
    expect(labels(outbox)).toEqual(["e"]);
    expect(outbox.depth()).toBe(1);
    expect(outbox.bytes()).toBe("t/4".length + 1);
  });

  it("keeps sequence numbers growing after it was emptied", async () => {
    const outbox = open({ file: await outboxFile(), maxMessages: 10, maxBytes: 10_000, policy: "drop-oldest" });
    const first = outbox.add("t", Buffer.from("1"), 1).seq as number;
    outbox.remove([first]);
    const second = outbox.add("t", Buffer.from("2"), 1).seq as number;
    expect(second).toBeGreaterThan(first);
  });

  it("keeps its rows, their order, depth, bytes and age across a reopen", async () => {
    const file = await outboxFile();
    const options: OutboxOptions = { file, maxMessages: 100, maxBytes: 1_000_000, policy: "drop-oldest" };
    let outbox = open(options);
    const before = Date.now();
    for (let i = 0; i < 20; i++) outbox.add(`store/${STORE_ID}/t`, Buffer.from(`m${i}`), i % 2 === 0 ? 0 : 1);
    const after = Date.now();
    const bytes = outbox.bytes();
    outbox.remove([outbox.peek(1)[0]?.seq as number]);

    outbox = reopen(outbox, options);
    expect(outbox.depth()).toBe(19);
    expect(outbox.bytes()).toBe(bytes - (`store/${STORE_ID}/t`.length + 2));
    expect(labels(outbox)).toEqual(Array.from({ length: 19 }, (_, i) => `m${i + 1}`));
    expect(outbox.peek(2).map((row) => row.qos)).toEqual([1, 0]);
    // Ages against a given clock, not the wall clock: stored between `before` and `after`.
    const later = after + 60_000;
    expect(outbox.oldestAgeMs(later)).toBeGreaterThanOrEqual(60_000);
    expect(outbox.oldestAgeMs(later)).toBeLessThanOrEqual(later - before);
    outbox.removeUpTo(Number.MAX_SAFE_INTEGER);
    expect(outbox.oldestAgeMs(later)).toBe(0);
  });

  it("drop-oldest: deletes the oldest rows to stay within maxMessages, and says which", async () => {
    const outbox = open({ file: await outboxFile(), maxMessages: 3, maxBytes: 1_000_000, policy: "drop-oldest" });
    for (const label of ["a", "b", "c"]) expect(outbox.add("t", Buffer.from(label), 1).dropped).toEqual([]);
    const result = outbox.add("t", Buffer.from("d"), 1);
    expect(result.seq).not.toBeNull();
    expect(result.dropped).toEqual([{ seq: expect.any(Number), topic: "t", size: 2 }]);
    expect(labels(outbox)).toEqual(["b", "c", "d"]);
    expect(outbox.depth()).toBe(3);
  });

  it("drop-oldest: deletes as many old rows as the new one's bytes need", async () => {
    // Sizes count topic + payload: "t" + 9 bytes = 10 per small message.
    const outbox = open({ file: await outboxFile(), maxMessages: 100, maxBytes: 40, policy: "drop-oldest" });
    for (const label of ["aaaaaaaaa", "bbbbbbbbb", "ccccccccc", "ddddddddd"]) outbox.add("t", Buffer.from(label), 1);
    expect(outbox.bytes()).toBe(40);
    const big = outbox.add("t", Buffer.alloc(24, "e"), 1); // 25 bytes: three old rows must go
    expect(big.dropped.map((row) => row.size)).toEqual([10, 10, 10]);
    expect(labels(outbox)).toEqual(["ddddddddd", "e".repeat(24)]);
    expect(outbox.bytes()).toBe(35);
    expect(outbox.depth()).toBe(2);
  });

  it("drop-newest: refuses the new message and keeps what it has", async () => {
    const outbox = open({ file: await outboxFile(), maxMessages: 3, maxBytes: 1_000_000, policy: "drop-newest" });
    for (const label of ["a", "b", "c"]) outbox.add("t", Buffer.from(label), 1);
    const result = outbox.add("t/new", Buffer.from("d"), 1);
    expect(result).toEqual({ seq: null, dropped: [{ seq: null, topic: "t/new", size: 6 }] });
    expect(labels(outbox)).toEqual(["a", "b", "c"]);
    expect(outbox.depth()).toBe(3);
  });

  it("drop-newest: the byte bound refuses too", async () => {
    const outbox = open({ file: await outboxFile(), maxMessages: 100, maxBytes: 25, policy: "drop-newest" });
    expect(outbox.add("t", Buffer.alloc(19), 1).seq).not.toBeNull(); // 20 bytes
    expect(outbox.add("t", Buffer.alloc(5), 1).seq).toBeNull(); // 26 > 25
    expect(outbox.add("t", Buffer.alloc(4), 1).seq).not.toBeNull(); // 25: fits exactly
    expect(outbox.bytes()).toBe(25);
  });

  it("refuses a message bigger than maxBytes under either policy, dropping nothing else", async () => {
    const outbox = open({ file: await outboxFile(), maxMessages: 10, maxBytes: 20, policy: "drop-oldest" });
    outbox.add("t", Buffer.from("kept"), 1);
    const result = outbox.add("t", Buffer.alloc(50), 1);
    expect(result.seq).toBeNull();
    expect(result.dropped).toEqual([{ seq: null, topic: "t", size: 51 }]);
    expect(labels(outbox)).toEqual(["kept"]);
  });

  it("keeps the bound across a reopen (depth and bytes are read back)", async () => {
    const file = await outboxFile();
    const options: OutboxOptions = { file, maxMessages: 5, maxBytes: 1_000_000, policy: "drop-oldest" };
    let outbox = open(options);
    for (let i = 0; i < 5; i++) outbox.add("t", Buffer.from(`m${i}`), 1);
    outbox = reopen(outbox, options);
    expect(outbox.add("t", Buffer.from("m5"), 1).dropped).toHaveLength(1);
    expect(labels(outbox)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
  });

  it("is owned by one process: a second open of the same file fails with a clear message", async () => {
    const file = await outboxFile();
    open({ file, maxMessages: 5, maxBytes: 1000, policy: "drop-oldest" });
    expect(() => openOutbox({ file, maxMessages: 5, maxBytes: 1000, policy: "drop-oldest" })).toThrow(
      /in use by another process/,
    );
  });

  it("refuses bad limits and policies, naming the option", async () => {
    const file = await outboxFile();
    expect(() => openOutbox({ file, maxMessages: 0, maxBytes: 1000, policy: "drop-oldest" })).toThrow(/maxMessages/);
    expect(() => openOutbox({ file, maxMessages: 1, maxBytes: 1.5, policy: "drop-oldest" })).toThrow(/maxBytes/);
    expect(() =>
      openOutbox({ file, maxMessages: 1, maxBytes: 10, policy: "drop-random" as unknown as "drop-oldest" }),
    ).toThrow(/policy/);
  });
});
