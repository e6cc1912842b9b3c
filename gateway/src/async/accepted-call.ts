/**
 * One call to `POST /async-function/{name}` as the route accepted it: everything needed to invoke the function
 * later, in another process life if the gateway is killed in between.
 */
export interface AcceptedCall {
  /** X-Call-Id (the route generates one if absent); receivers deduplicate callbacks by it. */
  readonly callId: string;
  /** e.g. "receipt". */
  readonly functionName: string;
  /** The original method (kept, although OpenFaaS CE always used POST). */
  readonly method: string;
  /** What followed /async-function/{name}: "" or starting with "/". */
  readonly path: string;
  /** The raw query string without "?", "" if none. */
  readonly query: string;
  /** The request's raw header pairs. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  /** An absolute http(s) URL, already validated by the route. */
  readonly callbackUrl?: string;
  /** Epoch ms. */
  readonly acceptedAt: number;
}

/** What the function answered. */
export interface InvokeResult {
  /** The function's status; the invoker answers 502 itself when the function is unreachable. */
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  readonly durationSeconds: number;
}

export type Invoke = (call: AcceptedCall) => Promise<InvokeResult>;
