import { STATUS_CODES } from "node:http";
import type { HeaderValues } from "./types.js";

/**
 * RFC 9457 problem details: every error the shell answers has this body, as `application/problem+json`.
 * `type` is an identifier under PROBLEM_TYPE_BASE for the shell's own problems, `about:blank` otherwise.
 */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_TYPE_BASE = "https://coffee-edge.dev/problems/";
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** The full type URI for one of our problem slugs, e.g. `problemType("malformed-json")`. */
export function problemType(slug: string): string {
  return `${PROBLEM_TYPE_BASE}${slug}`;
}

export interface ProblemInit {
  type?: string;
  title?: string;
  detail?: string;
  instance?: string;
  /** Extension members (RFC 9457 §3.2), sent beside the standard ones. */
  extensions?: Record<string, unknown>;
  /** Headers that belong to this answer, e.g. `WWW-Authenticate` on a 401; laid over the handler's own. */
  headers?: HeaderValues;
  cause?: unknown;
}

/**
 * An error a handler throws on purpose: its status, type, title and detail reach the client as given,
 * whatever the status (the author chose them). Anything else thrown is answered 500 with a generic detail.
 */
export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly instance: string | undefined;
  readonly extensions: Record<string, unknown>;
  readonly headers: HeaderValues;

  constructor(status: number, init: ProblemInit = {}) {
    super(init.detail ?? init.title ?? STATUS_CODES[status] ?? `HTTP ${status}`, { cause: init.cause });
    this.name = "ProblemError";
    this.status = isErrorStatus(status) ? status : 500;
    this.type = init.type ?? "about:blank";
    this.title = init.title ?? reasonPhrase(this.status);
    this.detail = init.detail;
    this.instance = init.instance;
    this.extensions = init.extensions ?? {};
    this.headers = init.headers ?? {};
  }

  toBody(): ProblemBody {
    return compact({
      ...this.extensions,
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      instance: this.instance,
    });
  }
}

export function isErrorStatus(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 400 && value <= 599;
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? `HTTP ${status}`;
}

/** Drops members whose value is undefined, so the JSON carries only what is known. */
function compact(body: ProblemBody): ProblemBody {
  for (const key of Object.keys(body)) {
    if (body[key] === undefined) delete body[key];
  }
  return body;
}
