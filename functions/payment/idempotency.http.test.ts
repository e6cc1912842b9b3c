import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  bearer,
  CountingProcessor,
  databaseTargets,
  FlakyProcessor,
  postPayment,
  type ServedPayment,
  servePayment,
  validPayment,
} from "./test-support.js";

const targets = await databaseTargets();

const writer = () => ({ authorization: bearer("payments:write") });

describe.each(targets)("idempotency over HTTP on $name", { timeout: 20_000 }, (target) => {
  afterAll(async () => {
    await target.drop();
  });

  let served: ServedPayment | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  async function serve<P extends CountingProcessor | FlakyProcessor>(processor: P) {
    served = await servePayment(target.url, { processor });
    return served.url;
  }

  it("replays a retried payment byte for byte, marked Idempotent-Replayed, without charging again", async () => {
    const processor = new CountingProcessor();
    const url = await serve(processor);
    const body = validPayment();
    const first = await postPayment(url, body, writer());
    const firstText = await first.text();
    // The same body with its members in another order is the same request.
    const { items, customer, token, method, amount, store, orderId } = body;
    const retry = await postPayment(url, { items, customer, token, method, amount, store, orderId }, writer());

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(await retry.text()).toBe(firstText);
    expect(retry.headers.get("location")).toBe(first.headers.get("location"));
    expect(retry.headers.get("x-order-id")).toBe(body.orderId);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(processor.charges).toHaveLength(1);
  });

  it("keys by the Idempotency-Key header when sent: a new key for the same order is a new payment", async () => {
    const processor = new CountingProcessor();
    const url = await serve(processor);
    const body = validPayment();
    const a = await postPayment(url, body, { ...writer(), "idempotency-key": `${body.orderId}-attempt-a` });
    const b = await postPayment(url, body, { ...writer(), "idempotency-key": `${body.orderId}-attempt-b` });
    const aAgain = await postPayment(url, body, { ...writer(), "idempotency-key": `${body.orderId}-attempt-a` });
    expect([a.status, b.status, aAgain.status]).toEqual([201, 201, 201]);
    const ids = [a, b, aAgain].map(async (res) => ((await res.json()) as { paymentId: string }).paymentId);
    const [idA, idB, idAgain] = await Promise.all(ids);
    expect(idA).not.toBe(idB);
    expect(idAgain).toBe(idA);
    expect(processor.charges.map((charge) => charge.idempotencyKey)).toEqual([
      `${body.orderId}-attempt-a`,
      `${body.orderId}-attempt-b`,
    ]);
  });

  it("answers 409 idempotency-key-reused for the same key with a different body", async () => {
    const processor = new CountingProcessor();
    const url = await serve(processor);
    const body = validPayment();
    expect((await postPayment(url, body, writer())).status).toBe(201);
    const changed = await postPayment(url, { ...body, amount: { value: 451, currency: "EUR" } }, writer());
    expect(changed.status).toBe(409);
    expect(changed.headers.get("content-type")).toBe("application/problem+json");
    expect(await changed.json()).toMatchObject({ type: "https://coffee-edge.dev/problems/idempotency-key-reused" });
    expect(processor.charges).toHaveLength(1);
  });

  it("replays a recorded 402 as it was, and never asks the processor again", async () => {
    const processor = new CountingProcessor();
    const url = await serve(processor);
    const body = { ...validPayment(), token: "tok_insufficient_funds" };
    const first = await postPayment(url, body, writer());
    const retry = await postPayment(url, body, writer());
    expect([first.status, retry.status]).toEqual([402, 402]);
    expect(retry.headers.get("content-type")).toBe("application/problem+json");
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.text()).toBe(await first.text());
    expect(processor.charges).toHaveLength(1);
  });

  it("answers 409 request-in-progress with Retry-After while the first request is with the processor", async () => {
    const processor = new CountingProcessor();
    processor.hold();
    const url = await serve(processor);
    const body = validPayment();
    const first = postPayment(url, body, writer());
    await processor.reached();
    const duplicate = await postPayment(url, body, writer());
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get("retry-after")).toBe("1");
    expect(await duplicate.json()).toMatchObject({ type: "https://coffee-edge.dev/problems/request-in-progress" });
    processor.release();
    expect((await first).status).toBe(201);
    expect(processor.charges).toHaveLength(1);
  });

  it("charges once for 20 concurrent identical requests held at the processor", async () => {
    const processor = new CountingProcessor();
    processor.hold();
    const url = await serve(processor);
    const body = validPayment();
    let settled = 0;
    let othersSettled: () => void = () => undefined;
    const nineteenAnswered = new Promise<void>((resolve) => {
      othersSettled = resolve;
    });
    const requests = Array.from({ length: 20 }, () =>
      postPayment(url, body, writer()).then((res) => {
        settled += 1;
        if (settled === 19) othersSettled();
        return res;
      }),
    );
    // The one that claimed the key waits at the processor; every other one is answered meanwhile.
    await nineteenAnswered;
    processor.release();
    const answers = await Promise.all(requests);
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([201, ...Array.from({ length: 19 }, () => 409)]);
    expect(processor.charges).toHaveLength(1);

    const after = await postPayment(url, body, writer());
    expect(after.status).toBe(201);
    expect(after.headers.get("idempotent-replayed")).toBe("true");
  });

  it("charges once for 20 concurrent identical requests at full speed", async () => {
    const processor = new CountingProcessor();
    const url = await serve(processor);
    const body = validPayment();
    const answers = await Promise.all(Array.from({ length: 20 }, () => postPayment(url, body, writer())));
    expect(processor.charges).toHaveLength(1);
    const created = answers.filter((res) => res.status === 201);
    const refused = answers.filter((res) => res.status === 409);
    expect(created.length + refused.length).toBe(20);
    const ids = new Set(
      await Promise.all(created.map(async (res) => ((await res.json()) as { paymentId: string }).paymentId)),
    );
    expect(ids.size).toBe(1);
    const rows = await served?.store.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM payment_payments WHERE order_id = $1",
      [body.orderId],
    );
    expect(rows?.n).toBe(1);
  });

  it("releases the key when the processor is unreachable, so the sequential retry is charged once", async () => {
    const processor = new FlakyProcessor();
    const url = await serve(processor);
    const body = validPayment();
    expect((await postPayment(url, body, writer())).status).toBe(502);
    processor.recover();
    const retry = await postPayment(url, body, writer());
    const again = await postPayment(url, body, writer());
    expect([retry.status, again.status]).toEqual([201, 201]);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(processor.inner.charges).toHaveLength(1);
  });

  it("refunds once when 10 refunds race, one of them held at the processor", async () => {
    const processor = new CountingProcessor();
    const url = await serve(processor);
    const created = (await (await postPayment(url, validPayment(), writer())).json()) as { paymentId: string };
    processor.hold();
    const refund = () =>
      fetch(`${url}/payments/${created.paymentId}/refund`, {
        method: "POST",
        headers: { authorization: bearer("payments:refund") },
        signal: AbortSignal.timeout(10_000),
      });
    const first = refund();
    await processor.reached();
    const others = await Promise.all(Array.from({ length: 9 }, refund));
    for (const res of others) {
      expect(res.status).toBe(409);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(await res.json()).toMatchObject({ type: "https://coffee-edge.dev/problems/request-in-progress" });
    }
    processor.release();
    expect((await first).status).toBe(200);
    expect(processor.refunds).toHaveLength(1);
    const late = await refund();
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ type: "https://coffee-edge.dev/problems/already-refunded" });
  });

  it("refunds once when refunds race at full speed", async () => {
    const processor = new CountingProcessor();
    const url = await serve(processor);
    const created = (await (await postPayment(url, validPayment(), writer())).json()) as { paymentId: string };
    const refunds = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${url}/payments/${created.paymentId}/refund`, {
          method: "POST",
          headers: { authorization: bearer("payments:refund") },
          signal: AbortSignal.timeout(10_000),
        }),
      ),
    );
    const statuses = refunds.map((res) => res.status).sort();
    expect(statuses).toEqual([200, ...Array.from({ length: 9 }, () => 409)]);
    expect(processor.refunds).toHaveLength(1);
  });
});
