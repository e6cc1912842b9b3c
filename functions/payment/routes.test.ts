import { ProblemError } from "@coffee-edge/node18-typescript";
import { describe, expect, it } from "vitest";
import { routeOf } from "./routes.js";

function refusal(method: string, path: string): ProblemError {
  try {
    routeOf({ method, path });
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error(`expected ${method} ${path} to be refused`);
}

describe("routeOf", () => {
  it.each([
    ["POST", "/", { kind: "charge" }],
    ["POST", "", { kind: "charge" }],
    ["GET", "/payments/pay_1", { kind: "lookup", paymentId: "pay_1" }],
    ["GET", "/payments/pay_1/", { kind: "lookup", paymentId: "pay_1" }],
    ["POST", "/payments/pay_1/refund", { kind: "refund", paymentId: "pay_1" }],
  ])("%s %s", (method, path, route) => {
    expect(routeOf({ method, path })).toEqual(route);
  });

  it.each([
    ["GET", "/", "POST"],
    ["PUT", "/", "POST"],
    ["DELETE", "/payments/pay_1", "GET"],
    ["POST", "/payments/pay_1", "GET"],
    ["GET", "/payments/pay_1/refund", "POST"],
  ])("%s %s is a 405 that allows %s", (method, path, allowed) => {
    const problem = refusal(method, path);
    expect(problem.status).toBe(405);
    expect(problem.type).toBe("https://coffee-edge.dev/problems/method-not-allowed");
    expect(problem.headers).toEqual({ allow: allowed });
  });

  it.each([["/payments"], ["/payments/pay_1/capture"], ["/payments/pay_1/refund/again"], ["/refunds/pay_1"]])(
    "%s is a 404",
    (path) => {
      const problem = refusal("GET", path);
      expect(problem.status).toBe(404);
      expect(problem.type).toBe("https://coffee-edge.dev/problems/not-found");
    },
  );
});
