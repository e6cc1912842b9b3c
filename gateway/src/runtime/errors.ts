/** Every replica is at its `max_inflight`: answered 429 as the watchdog answers it. */
export class FunctionBusyError extends Error {
  override name = "FunctionBusyError";
  constructor(readonly maxInflight: number) {
    super(`Concurrent request limit exceeded. Max concurrent requests: ${maxInflight}`);
  }
}

/** No replica could be made ready for a request: it crashed while starting, or did not start in time. */
export class FunctionUnavailableError extends Error {
  override name = "FunctionUnavailableError";
}
