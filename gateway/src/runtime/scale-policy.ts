import { parseDurationMs } from "@coffee-edge/node18-typescript/units";

/** How many replicas a function may have and when it scales, read from its OpenFaaS labels. */
export interface ScalePolicy {
  /** `com.openfaas.scale.min`: replicas kept while the function is awake (≥ 1). */
  readonly min: number;
  /** `com.openfaas.scale.max`: never more replicas than this. */
  readonly max: number;
  /** `com.openfaas.scale.target`: requests in flight per replica before another one starts. */
  readonly target: number;
  /** `com.openfaas.scale.zero: "true"`: stop every replica after `zeroDurationMs` without a request. */
  readonly zero: boolean;
  readonly zeroDurationMs: number;
  /** `com.openfaas.scale.down.window`: how long load must stay low before a replica is removed. */
  readonly downWindowMs: number;
}

export const SCALE_LABELS = {
  min: "com.openfaas.scale.min",
  max: "com.openfaas.scale.max",
  target: "com.openfaas.scale.target",
  zero: "com.openfaas.scale.zero",
  zeroDuration: "com.openfaas.scale.zero-duration",
  downWindow: "com.openfaas.scale.down.window",
} as const;

/** OpenFaaS Pro's defaults, except `max`: CE's 5 suits one machine better than Pro's 20. */
export const SCALE_DEFAULTS = {
  min: 1,
  max: 5,
  target: 50,
  zeroDurationMs: 15 * 60_000,
} as const;

/**
 * Reads the scaling labels. Like OpenFaaS (Go's `strconv.Atoi` with a fallback), a value that cannot be read
 * falls back to the default, and the problem is reported through `warn` so it is not silent here.
 */
export function readScalePolicy(
  labels: Readonly<Record<string, string>>,
  downWindowDefaultMs: number,
  warn: (message: string) => void = () => {},
): ScalePolicy {
  const integer = (label: string, fallback: number, least: number): number => {
    const text = labels[label];
    if (text === undefined) return fallback;
    const value = Number(text.trim());
    if (/^\d+$/.test(text.trim()) && value >= least) return value;
    warn(`label ${label}: expected a whole number ≥ ${least}, got "${text}"; using ${fallback}`);
    return fallback;
  };
  const duration = (label: string, fallback: number): number => {
    const text = labels[label];
    if (text === undefined) return fallback;
    const ms = parseDurationMs(text);
    if (ms !== undefined && ms > 0) return ms;
    warn(`label ${label}: expected a duration such as "15m", got "${text}"; using ${fallback} ms`);
    return fallback;
  };
  const zeroText = labels[SCALE_LABELS.zero];
  if (zeroText !== undefined && zeroText !== "true" && zeroText !== "false") {
    warn(`label ${SCALE_LABELS.zero}: expected "true" or "false", got "${zeroText}"; scale to zero stays off`);
  }
  const min = integer(SCALE_LABELS.min, SCALE_DEFAULTS.min, 1);
  const max = Math.max(min, integer(SCALE_LABELS.max, SCALE_DEFAULTS.max, 1));
  return {
    min,
    max,
    target: integer(SCALE_LABELS.target, SCALE_DEFAULTS.target, 1),
    zero: zeroText === "true",
    zeroDurationMs: duration(SCALE_LABELS.zeroDuration, SCALE_DEFAULTS.zeroDurationMs),
    downWindowMs: duration(SCALE_LABELS.downWindow, downWindowDefaultMs),
  };
}
