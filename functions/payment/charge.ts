import { type FunctionContext, type FunctionEvent, ProblemError } from "@coffee-edge/node18-typescript";
import { step } from "@coffee-edge/node18-typescript/steps";
import type { Store } from "@coffee-edge/node18-typescript/store";
import type { PaymentDeps } from "./deps.js";
import { idempotencyKeyOf, requestFingerprint } from "./idempotency.js";
import {
  claimKey,
  completeKey,
  findKey,
  type KeyRecord,
  type RecordedAnswer,
  releaseKey,
} from "./idempotency-records.js";
import { insertPayment, type Payment } from "./payment-records.js";
import { declined, idempotencyKeyReused, processorUnavailable, requestInProgress } from "./problems.js";
import type { ChargeOutcome } from "./processor.js";
import { type PaymentRequest, paymentRequests } from "./schema.js";

/** Where clients find a payment, through the gateway. */
export function paymentLocation(paymentId: string): string {
  return `/function/payment/payments/${paymentId}`;
}

/**
 * `POST /`: validate, claim the idempotency key, charge, record. The processor is called outside any
 * transaction and only by the request that holds the key, so one key is charged at most once.
 */
export async function takePayment(deps: PaymentDeps, event: FunctionEvent, context: FunctionContext) {
  const request = await step("validate", () => paymentRequests.body(event));
  const key = idempotencyKeyOf(event, request.orderId);
  const fingerprint = requestFingerprint("POST", "/", request);
  const store = await deps.store();

  const claim = await step("idempotency", () => claimOrFind(store, key, fingerprint, deps.clock().toISOString()));
  if (claim !== "claimed") return answerExisting(claim, fingerprint, context);

  const paymentId = deps.newPaymentId();
  let outcome: ChargeOutcome;
  try {
    outcome = await step("processor", () =>
      deps.processor.charge({
        paymentId,
        orderId: request.orderId,
        store: request.store,
        amount: request.amount,
        method: request.method,
        token: request.token,
        idempotencyKey: key,
      }),
    );
  } catch (error) {
    // Nothing was recorded: give the key back, so the client's retry is charged rather than told "in progress".
    await step("store", () => releaseKey(store, key));
    throw processorUnavailable("charge", error);
  }

  const completedAt = deps.clock().toISOString();
  if (outcome.outcome === "declined") {
    const problem = declined(outcome.reason, request.orderId);
    await step("store", () =>
      completeKey(store, key, { status: 402, headers: {}, body: problem.toBody() }, completedAt),
    );
    throw problem;
  }

  const answer = captured(request, paymentId, completedAt);
  await step("store", () =>
    store.transaction(async (tx) => {
      await insertPayment(tx, {
        paymentId,
        orderId: request.orderId,
        store: request.store,
        amount: request.amount,
        method: request.method,
        reference: outcome.reference,
        idempotencyKey: key,
        createdAt: completedAt,
      });
      await completeKey(tx, key, answer, completedAt);
    }),
  );
  return context.status(answer.status).headers(answer.headers).succeed(answer.body);
}

function captured(request: PaymentRequest, paymentId: string, createdAt: string): RecordedAnswer {
  const payment: Payment = {
    paymentId,
    orderId: request.orderId,
    status: "captured",
    amount: { value: request.amount.value, currency: request.amount.currency },
    createdAt,
  };
  return {
    status: 201,
    headers: { location: paymentLocation(paymentId), "x-order-id": request.orderId },
    body: payment,
  };
}

/**
 * "claimed" when this request now holds the key, else what another request left there. Should the holder
 * give the key up between our INSERT and SELECT (its processor call failed), claim again: a bounded loop.
 */
async function claimOrFind(store: Store, key: string, fingerprint: string, at: string): Promise<"claimed" | KeyRecord> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await claimKey(store, key, fingerprint, at)) return "claimed";
    const existing = await findKey(store, key);
    if (existing !== undefined) return existing;
  }
  throw requestInProgress();
}

/** A key seen before: the recorded answer for the same request, 409 for a different one or one still running. */
function answerExisting(record: KeyRecord, fingerprint: string, context: FunctionContext) {
  if (record.fingerprint !== fingerprint) throw idempotencyKeyReused();
  if (record.state === "in-flight") throw requestInProgress();
  const { status, headers, body } = record.answer;
  const replayHeaders = { ...headers, "idempotent-replayed": "true" };
  if (status >= 400) throw recordedProblem(status, body, replayHeaders);
  return context.status(status).headers(replayHeaders).succeed(body);
}

/** Rebuilds a recorded problem so it is answered (and logged) as one, with exactly the recorded members. */
function recordedProblem(status: number, body: unknown, headers: Record<string, string>): ProblemError {
  const { type, title, status: _status, detail, instance, ...extensions } = body as Record<string, unknown>;
  return new ProblemError(status, {
    type: typeof type === "string" ? type : undefined,
    title: typeof title === "string" ? title : undefined,
    detail: typeof detail === "string" ? detail : undefined,
    instance: typeof instance === "string" ? instance : undefined,
    extensions,
    headers,
  });
}
