export type UsageStatus = "normal" | "threshold-reached";

export const USAGE_NORMAL = "Usage normal";
export const THRESHOLD_REACHED = "Daily threshold reached!";

/** "threshold-reached" from the shot that reaches the threshold on, for the rest of that day. */
export function usageStatus(count: number, threshold: number): UsageStatus {
  return count >= threshold ? "threshold-reached" : "normal";
}

export function usageMessage(status: UsageStatus): string {
  return status === "threshold-reached" ? THRESHOLD_REACHED : USAGE_NORMAL;
}
