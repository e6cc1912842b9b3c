import { expect, it } from "vitest";
import { Fifo } from "../../src/mqtt/queue/fifo.js";

it("gives items back first in, first out across its compactions", () => {
  const fifo = new Fifo<number>();
  expect(fifo.shift()).toBeUndefined();
  const out: number[] = [];
  let next = 0;
  // Pushes outpace shifts, then the list drains: the consumed prefix is dropped several times on the way.
  for (let round = 0; round < 5000; round++) {
    fifo.push(next++);
    fifo.push(next++);
    const item = fifo.shift();
    if (item !== undefined) out.push(item);
  }
  expect(fifo.length).toBe(5000);
  expect(fifo.peek()).toBe(5000);
  while (fifo.length > 0) out.push(fifo.shift() ?? -1);
  expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
  fifo.push(42);
  expect(fifo.peek()).toBe(42);
  expect(fifo.shift()).toBe(42);
  expect(fifo.length).toBe(0);
});
