import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type MessageQueue, openMessageQueue } from "../../src/mqtt/queue/message-queue.js";
import { makeMessage, nextTurn, removeTempDirs, tempQueueFile } from "./helpers.js";

const opened: MessageQueue[] = [];

function open(file: string, synchronous?: "normal" | "full"): MessageQueue {
  const queue = openMessageQueue({ file, ...(synchronous === undefined ? {} : { synchronous }) });
  opened.push(queue);
  return queue;
}

afterEach(async () => {
  for (const queue of opened.splice(0)) queue.close();
  await removeTempDirs();
});

describe("message queue", () => {
  it("stores one row per function, every field intact across close and reopen", async () => {
    const file = await tempQueueFile();
    const first = open(file);
    const binary = Buffer.from([0, 1, 2, 255, 0, 10]);
    const withProperties = makeMessage("shop/1/orders", "x", {
      payload: binary,
      receivedAt: 1_700_000_000_123,
      responseTopic: "shop/1/replies",
      correlationData: Buffer.from([9, 0, 9]),
      contentType: "application/octet-stream",
      userProperties: { traceparent: "00-abc-def-01", tags: ["a", "b"] },
    });
    first.enqueue(withProperties, ["receipt", "audit.shop"]);
    first.enqueue(makeMessage("shop/1/orders", "plain"), ["receipt"]);
    first.enqueue(makeMessage("shop/2/orders", "nobody"), []);
    expect(first.depth()).toBe(3);
    first.close();

    const second = open(file);
    expect(second.depth()).toBe(3);
    const pending = second.pending();
    expect(pending.map(({ topic, fn }) => [topic, fn])).toEqual([
      ["shop/1/orders", "receipt"],
      ["shop/1/orders", "audit.shop"],
      ["shop/1/orders", "receipt"],
    ]);
    expect(pending.map((ref) => ref.id)).toEqual([...pending.map((ref) => ref.id)].sort((a, b) => a - b));

    const [forReceipt, forAudit, plain] = pending.map((ref) => second.load(ref.id));
    for (const stored of [forReceipt, forAudit]) {
      expect(stored?.deadLetter).toBeUndefined();
      expect(stored?.nextAttemptAt).toBe(0);
      expect(stored?.delivery.attempts).toBe(0);
      expect(stored?.delivery.message).toEqual(withProperties);
      expect(stored?.delivery.message.payload.equals(binary)).toBe(true);
    }
    expect(forAudit?.delivery.fn).toBe("audit.shop");
    // No v5 properties stored means none read back (not nulls or empty strings).
    expect(Object.keys(plain?.delivery.message ?? {}).sort()).toEqual(["payload", "receivedAt", "topic"]);
    expect(plain?.delivery.message.payload.toString()).toBe("plain");
  });

  it("counts a function named twice once", async () => {
    const queue = open(await tempQueueFile());
    queue.enqueue(makeMessage("t", 1), ["f", "f", "g"]);
    expect(queue.pending().map((ref) => ref.fn)).toEqual(["f", "g"]);
    expect(queue.depth()).toBe(2);
  });

  it("keeps a user property named __proto__ as data", async () => {
    const file = await tempQueueFile();
    const queue = open(file);
    const userProperties = JSON.parse('{"__proto__": "sneaky", "ok": "yes"}') as Record<string, string>;
    queue.enqueue(makeMessage("t", 1, { userProperties }), ["f"]);
    const [ref] = queue.pending();
    const properties = queue.load(ref?.id ?? -1)?.delivery.message.userProperties;
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(Object.entries(properties ?? {})).toEqual([
      ["__proto__", "sneaky"],
      ["ok", "yes"],
    ]);
  });

  it("tells listeners what each committed enqueue added", async () => {
    const queue = open(await tempQueueFile());
    const seen: Array<Array<[string, string]>> = [];
    const unsubscribe = queue.onEnqueued((added) => {
      // What the listener sees is already stored.
      for (const ref of added) expect(queue.load(ref.id)?.delivery.fn).toBe(ref.fn);
      seen.push(added.map((ref) => [ref.topic, ref.fn]));
    });
    queue.enqueue(makeMessage("a", 1), ["f", "g"]);
    queue.enqueue(makeMessage("b", 2), []);
    unsubscribe();
    queue.enqueue(makeMessage("c", 3), ["f"]);
    expect(seen).toEqual([
      [
        ["a", "f"],
        ["a", "g"],
      ],
    ]);
  });

  it("keeps retry and dead-letter decisions across reopen", async () => {
    const file = await tempQueueFile();
    const first = open(file);
    first.enqueue(makeMessage("t", "retrying"), ["f"]);
    first.enqueue(makeMessage("t", "dead"), ["f"]);
    const [retrying, dead] = first.pending();
    first.recordRetry(retrying?.id ?? -1, 2, 1_800_000_000_000);
    first.recordDeadLetter(dead?.id ?? -1, { status: "error", fn: "f", attempts: 3, error: "connect refused" }, 5);
    first.close();

    const second = open(file);
    const reloadedRetry = second.load(retrying?.id ?? -1);
    expect(reloadedRetry?.delivery.attempts).toBe(2);
    expect(reloadedRetry?.nextAttemptAt).toBe(1_800_000_000_000);
    expect(reloadedRetry?.deadLetter).toBeUndefined();
    const reloadedDead = second.load(dead?.id ?? -1);
    expect(reloadedDead?.delivery.attempts).toBe(3);
    expect(reloadedDead?.nextAttemptAt).toBe(5);
    expect(reloadedDead?.deadLetter).toEqual({ status: "error", fn: "f", attempts: 3, error: "connect refused" });
  });

  it("removes finished deliveries and wakes waitForRoom once depth is below the limit", async () => {
    const file = await tempQueueFile();
    const queue = open(file);
    for (let i = 0; i < 3; i++) queue.enqueue(makeMessage("t", i), ["f"]);
    const ids = queue.pending().map((ref) => ref.id);
    let roomMade = false;
    const room = queue.waitForRoom(2).then(() => {
      roomMade = true;
    });
    await expect(queue.waitForRoom(4)).resolves.toBeUndefined();

    queue.remove(ids.slice(0, 1));
    await nextTurn();
    expect(queue.depth()).toBe(2);
    expect(roomMade).toBe(false);

    queue.remove([ids[1] ?? -1, 123_456]);
    await room;
    expect(roomMade).toBe(true);
    expect(queue.depth()).toBe(1);
    expect(queue.load(ids[0] ?? -1)).toBeUndefined();
    queue.close();
    expect(
      open(file)
        .pending()
        .map((ref) => ref.id),
    ).toEqual(ids.slice(2));
  });

  it("rejects room waiters and new work once closed", async () => {
    const queue = open(await tempQueueFile());
    queue.enqueue(makeMessage("t", 1), ["f"]);
    const waiting = queue.waitForRoom(1);
    queue.close();
    await expect(waiting).rejects.toThrow("closed");
    await expect(queue.waitForRoom(10)).rejects.toThrow("closed");
    expect(() => queue.enqueue(makeMessage("t", 2), ["f"])).toThrow("closed");
  });

  it("refuses a second owner of the same file while the first holds it", async () => {
    const file = await tempQueueFile();
    open(file);
    expect(() => open(file)).toThrow(/in use by another process/);
  });

  it("refuses a file of another schema version", async () => {
    const file = await tempQueueFile();
    open(file).close();
    const db = new Database(file);
    db.pragma("user_version = 99");
    db.close();
    expect(() => open(file)).toThrow(/schema version 99/);
  });

  it("rejects an unknown synchronous setting", async () => {
    const file = await tempQueueFile();
    expect(() => open(file, "sometimes" as "full")).toThrow(/synchronous must be/);
  });
});
