import { ProblemError, problemType } from "@coffee-edge/node18-typescript";

/**
 * The payment time as a Date. JSON Schema's `date-time` admits a few texts the JavaScript Date cannot read
 * (a leap second, `23:59:60`): those are refused as invalid input rather than printed as "Invalid Date".
 */
export function parsePaidAt(text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new ProblemError(400, {
      type: problemType("invalid-request"),
      title: "Request does not match its schema",
      detail: "/paidAt is not a date-time this function can read",
      extensions: { errors: [{ pointer: "/paidAt", detail: "is not a readable date-time", keyword: "format" }] },
    });
  }
  return date;
}
