import { type Handler, ProblemError, problemType } from "@coffee-edge/node18-typescript";
import { step } from "@coffee-edge/node18-typescript/steps";
import { loadConfig, type ReceiptConfig } from "./config.js";
import { receiptDisposition } from "./disposition.js";
import { parsePaidAt } from "./paid-at.js";
import { type RenderOptions, renderReceipt } from "./render.js";
import { type Order, orderValidator } from "./schema.js";
import { assertTotalsAddUp } from "./totals.js";

export interface ReceiptDeps {
  readonly config: ReceiptConfig;
  /** The renderer; tests may wrap it. */
  readonly render?: (order: Order, options: RenderOptions) => Promise<Buffer>;
}

/**
 * POST an order, get its receipt as `application/pdf`. Stateless, so a retry (or the gateway's async queue
 * delivering twice) just renders the same bytes again. Made for `/async-function/receipt` with
 * `X-Callback-Url`: the gateway answers 202 and POSTs this answer to the callback; the function only answers.
 */
export function createHandler(deps: ReceiptDeps): Handler {
  const render = deps.render ?? renderReceipt;
  const renderOptions: RenderOptions = { timeZone: deps.config.timeZone, locale: deps.config.locale };

  return async function receipt(event, context) {
    if (event.method !== "POST") throw methodNotAllowed(event.method);
    const order = await step("validate", () => {
      const parsed = orderValidator.body(event);
      parsePaidAt(parsed.paidAt);
      assertTotalsAddUp(parsed);
      return parsed;
    });
    const pdf = await step("render", () => render(order, renderOptions), { "receipt.items": order.items.length });
    return context
      .status(200)
      .headers({
        "content-type": "application/pdf",
        "content-disposition": receiptDisposition(order.orderId),
        // A receipt names a customer: no shared cache should keep a copy.
        "cache-control": "no-store",
      })
      .succeed(pdf);
  };
}

function methodNotAllowed(method: string): ProblemError {
  return new ProblemError(405, {
    type: problemType("method-not-allowed"),
    title: "Method not allowed",
    detail: `${method} is not supported: POST an order to render its receipt.`,
    headers: { allow: "POST" },
  });
}

export default createHandler({ config: loadConfig(process.env) });
