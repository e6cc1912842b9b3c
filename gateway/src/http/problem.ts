import type { ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";

/** The gateway's own errors are RFC 9457 problem details, as the template's shell answers its own. */
export const PROBLEM_TYPE_BASE = "https://coffee-edge.dev/problems/";

export interface ProblemInit {
  /** A slug under PROBLEM_TYPE_BASE, e.g. `function-not-found`. */
  readonly type: string;
  readonly detail: string;
  readonly title?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Extension members sent beside the standard ones. */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** Answers `status` with an `application/problem+json` body; does nothing if the answer has already begun. */
export function sendProblem(res: ServerResponse, status: number, init: ProblemInit): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({
    type: `${PROBLEM_TYPE_BASE}${init.type}`,
    title: init.title ?? STATUS_CODES[status] ?? "Error",
    status,
    detail: init.detail,
    ...init.extensions,
  });
  res.writeHead(status, {
    ...init.headers,
    "Content-Type": "application/problem+json",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** The 404 of `/function/` and `/async-function/` for a name that is not in the stack. */
export function sendFunctionNotFound(res: ServerResponse, name: string): void {
  sendProblem(res, 404, {
    type: "function-not-found",
    detail: `no function named "${name}" in this gateway's stack (GET /system/functions lists them)`,
  });
}
