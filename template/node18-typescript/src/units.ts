/**
 * Parsers for the size and duration notations OpenFaaS users already write:
 * body-parser's sizes (`100kb`, `5mb`) and of-watchdog's timeouts (`10s`, `1m30s`, or `15` = seconds).
 * Both return `undefined` for text they cannot read; the caller names the variable in its error.
 */

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
};

/** `"100kb"` → 102400. A bare number is bytes. Units are 1024-based, as in body-parser. */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = SIZE_UNITS[(match[2] ?? "b").toLowerCase()] ?? 1;
  return Math.floor(Number(match[1]) * unit);
}

const DURATION_UNITS_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000001,
};

/** `"15s"` → 15000 ms; `"1m30s"` → 90000; a bare integer is seconds (of-watchdog's `parseIntOrDurationValue`). */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const part of trimmed.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(part[1]) * (DURATION_UNITS_MS[part[2] ?? "s"] ?? 0);
  }
  return total;
}
